import Vapor

/// The stylesheet of the training pages that are not the attendance sheet or the printed
/// certificate: the role-play score sheet and the public verification page. A file in
/// `Resources/assets/`, served by the app like `Assets`, loaded only by the pages that use it.
enum TrainingAssets {
    static let stylesheetPath = SiteURL.trainingStylesheet.path

    static func register(on app: Application) {
        Assets.serve(
            stylesheet, at: .trainingStylesheet, type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"]),
            on: app)
    }

    static let stylesheet = AssetFiles.text("training.css")
}
