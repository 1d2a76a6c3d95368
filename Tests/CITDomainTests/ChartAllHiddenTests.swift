import Foundation
import Testing
@testable import CITDomain

@Suite("Charts whose every count is hidden")
struct ChartAllHiddenTests {
    static let message = SVGChart.allHiddenText()

    @Test("bars: every value suppressed (or zero) says so in the picture and in its description, with no bars")
    func bars() {
        let svg = SVGChart.bars(
            title: "How crisis calls ended", items: [("Arrest", nil), ("Transport", 0), ("Resolved", nil)],
            valueFormat: { String(Int($0)) }, idPrefix: "d", allHiddenMessage: Self.message)
        #expect(
            Self.message
                == "Every count in this chart is suppressed (small counts, and counts that would let one be worked out, are not published)."
        )
        // On the picture, wrapped to fit a phone; whole in the description.
        let shown = svg.components(separatedBy: "class=\"all-hidden\"").dropFirst().map {
            $0.split(separator: ">")[1].split(separator: "<")[0]
        }.joined(separator: " ")
        #expect(shown == Self.message)
        #expect(
            svg.contains(
                "<desc id=\"d-desc\">How crisis calls ended. Every count in this chart is suppressed (small counts, and counts that would let one be worked out, are not published).</desc>"
            ))
        #expect(!svg.contains("<rect"))
    }

    @Test("one value left to draw: the chart draws it as before")
    func oneShown() {
        let svg = SVGChart.bars(
            title: "T", items: [("Arrest", nil), ("Resolved", 7)], valueFormat: { String(Int($0)) }, idPrefix: "d",
            allHiddenMessage: Self.message)
        #expect(!svg.contains("All counts in this chart"))
        #expect(svg.contains("<rect"))
    }

    @Test("lines: every point hidden says so instead of empty axes; without a message (exact view) the axes are drawn")
    func lines() {
        let series = [ChartSeries(name: "Calls", values: [nil, nil, nil])]
        let hidden = SVGChart.line(
            title: "Calls per quarter", labels: ["2026 Q1", "2026 Q2", "2026 Q3"], series: series,
            valueFormat: { String(Int($0)) }, idPrefix: "c", allHiddenMessage: Self.message)
        #expect(
            hidden.contains(
                "Every count in this chart is suppressed (small counts, and counts that would let one be worked out, are not published)."))
        #expect(!hidden.contains("class=\"series-line\""))
        let plain = SVGChart.line(
            title: "Calls per quarter", labels: ["2026 Q1"], series: series, valueFormat: { String(Int($0)) }, idPrefix: "c")
        #expect(!plain.contains("All counts"))
        #expect(plain.contains("class=\"axis\""))
    }
}
