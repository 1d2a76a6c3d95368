/// The attendance sheet's script and stylesheet (files in `Resources/assets/`), served by
/// the app like `Assets`.
///
/// The script turns each button into an entry with an id made on the device, keeps a
/// queue in localStorage, and sends it when it can: at once, when the browser comes back
/// online, and every 15 seconds. The server answers per entry (saved, duplicate or
/// refused); only answered entries leave the queue, so a dropped request or a closed tab
/// loses nothing, and a resend is recognised by its id and stored once.
enum AttendanceAssets {
    static let scriptPath = SiteURL.attendanceScript.path
    static let stylesheetPath = SiteURL.attendanceStylesheet.path

    static let stylesheet = AssetFiles.text("attendance.css")

    static let script = AssetFiles.text("attendance.js")
}
