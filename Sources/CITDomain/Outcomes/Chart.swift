import Foundation

/// One line on a chart.
public struct ChartSeries: Sendable, Equatable {
    public var name: String
    /// One value per label; nil = suppressed or no data, drawn as a gap so that a
    /// missing quarter is never drawn as a line through it.
    public var values: [Double?]

    public init(name: String, values: [Double?]) {
        self.name = name
        self.values = values
    }
}

/// Server-rendered SVG charts.
///
/// Dashboards are read on locked-down agency computers and by people with screen
/// readers, so charts are plain SVG in the page: no JavaScript, a title and a summary a
/// screen reader reads, series told apart by dash pattern as well as colour, and every
/// value the chart is built from also stated in words in `<desc>`.
public enum SVGChart {
    static let width = 640.0
    /// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies.
    static let colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    /// Dash patterns, so series differ without colour (printing in grey, colour blindness).
    static let dashes = ["", "8 4", "2 3", "12 3 2 3", "1 6", "16 6", "4 2 1 2 1 2"]

    /// Line chart over labelled points (quarters). Returns a complete `<svg>` element with
    /// role="img" and aria-labelledby pointing to its `<title>` and `<desc>` (the desc
    /// gives the first and last value of each series), viewBox width 640, a y axis with
    /// ticks, x labels, a legend and a dash pattern per series. All text is XML-escaped.
    /// `idPrefix` keeps ids unique when a page holds several charts.
    ///
    /// `allHiddenMessage`: what the chart says instead of empty axes when no value is left
    /// to draw because every one was suppressed (the caller knows whether a missing value
    /// means suppressed or no data, so it passes the words; nil draws the axes as before).
    public static func line(
        title: String, labels: [String], series: [ChartSeries],
        valueFormat: (Double) -> String, idPrefix: String, allHiddenMessage: String? = nil
    ) -> String {
        let id = elementID(idPrefix)
        if let message = allHiddenMessage, nothingToDraw(series.flatMap(\.values)) {
            return hidden(id: id, title: title, message: message)
        }
        let left = 64.0, right = width - 16, top = 44.0, plotHeight = 220.0
        let bottom = top + plotHeight
        let inset = 14.0
        let values = series.map { s in labels.indices.map { i in finite(s.values.indices.contains(i) ? s.values[i] : nil) } }

        let all = values.flatMap { $0.compactMap { $0 } }
        let scale = axisScale(min: min(0, all.min() ?? 0), max: all.max() ?? 0)
        func y(_ value: Double) -> Double {
            bottom - (value - scale.low) / (scale.high - scale.low) * plotHeight
        }
        func x(_ index: Int) -> Double {
            labels.count <= 1
                ? (left + right) / 2
                : left + inset + Double(index) * (right - left - 2 * inset) / Double(labels.count - 1)
        }

        // Legend entries laid out left to right, wrapping at the chart's width.
        var legend: [(x: Double, row: Int)] = []
        var legendX = left, legendRow = 0
        for s in series {
            let entryWidth = 40 + estimatedWidth(s.name, fontSize: 12) + 20
            if legendX + entryWidth > right, legendX > left {
                legendRow += 1
                legendX = left
            }
            legend.append((legendX, legendRow))
            legendX += entryWidth
        }
        let legendTop = bottom + 46
        let height = legendTop + Double(series.isEmpty ? 0 : legendRow + 1) * 22 + 8

        var svg = open(
            id: id, height: height, title: title,
            desc: lineDescription(title: title, labels: labels, series: series, values: values, valueFormat: valueFormat))

        // Axis, grid lines and ticks.
        svg += "<g class=\"axis\" font-size=\"11\" fill=\"#333\">"
        for tick in scale.ticks {
            let ty = y(tick)
            svg += "<line x1=\"\(n(left))\" y1=\"\(n(ty))\" x2=\"\(n(right))\" y2=\"\(n(ty))\" stroke=\"#ddd\" stroke-width=\"1\"/>"
            svg += "<line x1=\"\(n(left - 5))\" y1=\"\(n(ty))\" x2=\"\(n(left))\" y2=\"\(n(ty))\" stroke=\"#333\" stroke-width=\"1\"/>"
            svg += "<text x=\"\(n(left - 8))\" y=\"\(n(ty + 4))\" text-anchor=\"end\">\(escape(valueFormat(tick)))</text>"
        }
        svg += "<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(bottom))\" stroke=\"#333\" stroke-width=\"1\"/>"
        svg += "<line x1=\"\(n(left))\" y1=\"\(n(bottom))\" x2=\"\(n(right))\" y2=\"\(n(bottom))\" stroke=\"#333\" stroke-width=\"1\"/>"
        // Every label gets a tick; only as many get text as fit (about 60 px each).
        let labelStep = max(1, Int((Double(labels.count) * 60 / (right - left)).rounded(.up)))
        for (index, label) in labels.enumerated() {
            svg +=
                "<line x1=\"\(n(x(index)))\" y1=\"\(n(bottom))\" x2=\"\(n(x(index)))\" y2=\"\(n(bottom + 5))\" stroke=\"#333\" stroke-width=\"1\"/>"
            if index % labelStep == 0 {
                svg += "<text class=\"x-label\" x=\"\(n(x(index)))\" y=\"\(n(bottom + 20))\" text-anchor=\"middle\">\(escape(label))</text>"
            }
        }
        svg += "</g>"

        // Series: one path each; a nil value ends a segment and the next value starts a
        // new one ("M"), leaving a gap. Points get markers so a value between two gaps
        // still shows.
        for index in series.indices {
            let colour = colours[index % colours.count]
            let dash = dashes[index % dashes.count]
            var d = ""
            var drawing = false
            var markers = ""
            for (point, value) in values[index].enumerated() {
                guard let value else {
                    drawing = false
                    continue
                }
                d += (drawing ? " L" : (d.isEmpty ? "M" : " M")) + "\(n(x(point))) \(n(y(value)))"
                drawing = true
                markers += "<circle cx=\"\(n(x(point)))\" cy=\"\(n(y(value)))\" r=\"3\" fill=\"\(colour)\"/>"
            }
            svg += "<g class=\"series\" data-series=\"\(index)\">"
            if !d.isEmpty {
                svg +=
                    "<path class=\"series-line\" d=\"\(d)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(dashAttribute(dash))/>"
            }
            svg += markers + "</g>"
        }

        // Legend: a sample of each line with its dash pattern, then the name.
        svg += "<g class=\"legend\" font-size=\"12\" fill=\"#222\">"
        for (index, s) in series.enumerated() {
            let entry = legend[index]
            let ly = legendTop + Double(entry.row) * 22
            let colour = colours[index % colours.count]
            svg +=
                "<line x1=\"\(n(entry.x))\" y1=\"\(n(ly - 4))\" x2=\"\(n(entry.x + 32))\" y2=\"\(n(ly - 4))\" stroke=\"\(colour)\" stroke-width=\"2\"\(dashAttribute(dashes[index % dashes.count]))/>"
            svg += "<text x=\"\(n(entry.x + 38))\" y=\"\(n(ly))\">\(escape(s.name))</text>"
        }
        svg += "</g></svg>"
        return svg
    }

    /// Horizontal bar chart of labelled values (e.g. dispositions), each value printed at
    /// the end of its bar; nil is drawn without a bar as `suppressedText` ("suppressed").
    public static func bars(
        title: String, items: [(label: String, value: Double?)],
        valueFormat: (Double) -> String, idPrefix: String,
        suppressedText: String = Suppression.label(), allHiddenMessage: String? = nil
    ) -> String {
        let id = elementID(idPrefix)
        if let message = allHiddenMessage, nothingToDraw(items.map(\.value)) {
            return hidden(id: id, title: title, message: message)
        }
        // Long labels ("Referral to county crisis services or mobile crisis") wrap onto a
        // second line instead of squeezing the bars; beyond two lines they are shortened,
        // and the full label stays in the bar's <title> and in <desc>.
        let shownLabels = items.map { wrapped($0.label, width: 32, lines: 2) }
        let twoLines = shownLabels.contains { $0.count > 1 }
        let top = 44.0, rowHeight = twoLines ? 36.0 : 28.0, barHeight = 18.0
        let labelWidth = min(250, shownLabels.flatMap { $0 }.map { estimatedWidth($0, fontSize: 12) }.max() ?? 0) + 16
        let barStart = labelWidth + 8
        let barRoom = max(40, width - 16 - 96 - barStart)
        let values = items.map { finite($0.value) }
        let largest = values.compactMap { $0 }.max() ?? 0
        let height = top + Double(items.count) * rowHeight + 12

        var desc = "\(title)."
        for (item, value) in zip(items, values) {
            desc += " \(item.label): \(value.map(valueFormat) ?? suppressedText)."
        }
        var svg = open(id: id, height: height, title: title, desc: desc)
        svg += "<g class=\"bars\" font-size=\"12\" fill=\"#222\">"
        for (index, item) in items.enumerated() {
            let rowTop = top + Double(index) * rowHeight
            let middle = rowTop + barHeight / 2 + 4
            let lines = shownLabels[index]
            let firstLine = middle - Double(lines.count - 1) * 7
            svg += "<g class=\"bar\"><title>\(escape(item.label)): \(escape(values[index].map(valueFormat) ?? suppressedText))</title>"
            svg += "<text class=\"label\" x=\"\(n(labelWidth))\" y=\"\(n(firstLine))\" text-anchor=\"end\">"
            for (number, line) in lines.enumerated() {
                svg +=
                    number == 0
                    ? "<tspan>\(escape(line))</tspan>"
                    : "<tspan x=\"\(n(labelWidth))\" dy=\"14\">\(escape(line))</tspan>"
            }
            svg += "</text>"
            if let value = values[index] {
                let length = largest > 0 ? max(0, value) / largest * barRoom : 0
                svg +=
                    "<rect x=\"\(n(barStart))\" y=\"\(n(rowTop))\" width=\"\(n(length))\" height=\"\(n(barHeight))\" fill=\"\(colours[0])\"/>"
                svg += "<text class=\"value\" x=\"\(n(barStart + length + 6))\" y=\"\(n(middle))\">\(escape(valueFormat(value)))</text>"
            } else {
                svg +=
                    "<text class=\"value suppressed\" x=\"\(n(barStart + 6))\" y=\"\(n(middle))\" font-style=\"italic\" fill=\"#555\">\(escape(suppressedText))</text>"
            }
            svg += "</g>"
        }
        svg +=
            "<line x1=\"\(n(barStart))\" y1=\"\(n(top - 4))\" x2=\"\(n(barStart))\" y2=\"\(n(top + Double(items.count) * rowHeight - 6))\" stroke=\"#333\" stroke-width=\"1\"/>"
        svg += "</g></svg>"
        return svg
    }

    /// The default words for a chart whose every count is under the threshold.
    public static func allHiddenText(threshold: Int = Suppression.defaultThreshold) -> String {
        "Every count in this chart is suppressed (small counts, and counts that would let one be worked out, are not published)."
    }

    /// Something was hidden and nothing above zero is left: the chart would be blank.
    static func nothingToDraw(_ values: [Double?]) -> Bool {
        values.contains { $0 == nil } && values.allSatisfy { value in value.map { !$0.isFinite || $0 == 0 } ?? true }
    }

    /// A chart that says in words (title, desc and on the picture) why it has no marks.
    /// Narrower than a drawn chart (360 wide, lines wrapped), so that on a phone, where a
    /// chart is shrunk to the screen, the words stay as large as the page's own text.
    private static func hidden(id: String, title: String, message: String) -> String {
        let width = 360.0
        let titleLines = wrapped(title, width: 38, lines: 3)
        let messageLines = wrapped(message, width: 40, lines: 3)
        let messageTop = 24 + Double(titleLines.count) * 20 + 6
        let height = messageTop + Double(messageLines.count) * 19 + 4
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-hidden\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\""
            + " role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" font-family=\"system-ui, sans-serif\">"
            + "<title id=\"\(id)-title\">\(escape(title))</title>"
            + "<desc id=\"\(id)-desc\">\(escape("\(title). \(message)"))</desc>"
        for (index, line) in titleLines.enumerated() {
            svg +=
                "<text x=\"\(n(8))\" y=\"\(n(24 + Double(index) * 20))\" font-size=\"15\" font-weight=\"bold\" fill=\"#222\">\(escape(line))</text>"
        }
        for (index, line) in messageLines.enumerated() {
            svg +=
                "<text class=\"all-hidden\" x=\"\(n(8))\" y=\"\(n(messageTop + 14 + Double(index) * 19))\" font-size=\"14\" font-style=\"italic\" fill=\"#444\">\(escape(line))</text>"
        }
        return svg + "</svg>"
    }

    // MARK: Parts

    private static func open(id: String, height: Double, title: String, desc: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\""
            + " role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" font-family=\"system-ui, sans-serif\">"
            + "<title id=\"\(id)-title\">\(escape(title))</title>"
            + "<desc id=\"\(id)-desc\">\(escape(desc))</desc>"
            + "<text x=\"\(n(16))\" y=\"\(n(24))\" font-size=\"15\" font-weight=\"bold\" fill=\"#222\">\(escape(title))</text>"
    }

    /// "Title. Series: 12% in 2025 Q1 to 18% in 2026 Q2." per series, so a screen reader
    /// gets the trend without the picture.
    private static func lineDescription(
        title: String, labels: [String], series: [ChartSeries], values: [[Double?]], valueFormat: (Double) -> String
    ) -> String {
        var text = "\(title)."
        for (s, points) in zip(series, values) {
            let present = points.enumerated().compactMap { index, value in value.map { (label: labels[index], value: $0) } }
            if let first = present.first, let last = present.last {
                if present.count == 1 {
                    text += " \(s.name): \(valueFormat(first.value)) in \(first.label)."
                } else {
                    text += " \(s.name): from \(valueFormat(first.value)) in \(first.label) to \(valueFormat(last.value)) in \(last.label)."
                }
            } else {
                text += " \(s.name): no values to show."
            }
        }
        if values.contains(where: { $0.contains(where: { $0 == nil }) }) {
            text += " Breaks in a line mark periods with no data or with counts too small to show."
        }
        return text
    }

    private static func dashAttribute(_ dash: String) -> String {
        dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\""
    }

    /// A y axis from 0 (or below, for negative data) to a round number above the data,
    /// in 1, 2 or 5 steps, with about four intervals.
    static func axisScale(min low: Double, max high: Double) -> (low: Double, high: Double, ticks: [Double]) {
        guard high > low else { return (low, low + 1, [low, low + 1]) }
        let raw = (high - low) / 4
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        let step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude
        let first = (low / step).rounded(.down) * step
        let last = (high / step - 1e-9).rounded(.up) * step
        let count = Int(((last - first) / step).rounded())
        return (first, last, (0...count).map { first + Double($0) * step })
    }

    private static func finite(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return value
    }

    /// Coordinates with one decimal, always with a point (no locale).
    private static func n(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    /// Rough text width for layout; SVG cannot measure text on the server.
    private static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
        Double(text.count) * fontSize * 0.55
    }

    /// Greedy word wrap into at most `lines` lines of about `width` characters; a word
    /// longer than a line is cut, and text left over shortens the last line with "…".
    static func wrapped(_ text: String, width: Int, lines maxLines: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        var words = text.split(whereSeparator: { $0.isWhitespace }).map(String.init)[...]
        while let word = words.first {
            let candidate = current.isEmpty ? word : current + " " + word
            if candidate.count <= width {
                current = candidate
                words = words.dropFirst()
            } else if current.isEmpty {
                current = String(word.prefix(width))
                words[words.startIndex] = String(word.dropFirst(width))
            } else {
                lines.append(current)
                current = ""
                if lines.count == maxLines { break }
            }
        }
        if lines.count < maxLines {
            if !current.isEmpty || lines.isEmpty { lines.append(current) }
        } else if !words.isEmpty || !current.isEmpty, let last = lines.popLast() {
            lines.append(String(last.prefix(max(0, width - 1))) + "…")
        }
        return lines
    }

    /// Ids from the caller's prefix, reduced to letters, digits, "-" and "_" and starting
    /// with a letter, so the id is valid in XML and the aria reference resolves.
    static func elementID(_ prefix: String) -> String {
        let kept = String(
            prefix.unicodeScalars.filter {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
            }.map(Character.init))
        guard let first = kept.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first) else {
            return "chart-" + kept
        }
        return kept
    }

    /// Text for XML content or an attribute: markup characters as entities
    /// (`HTMLEscape`), and control characters XML does not allow dropped (an XML parser
    /// refuses the whole chart).
    static func escape(_ text: String) -> String {
        let allowed = text.unicodeScalars.filter { scalar in
            scalar == "\t" || scalar == "\n" || scalar == "\r" || !(scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value))
        }
        return HTMLEscape.attribute(String(String.UnicodeScalarView(allowed)))
    }
}
