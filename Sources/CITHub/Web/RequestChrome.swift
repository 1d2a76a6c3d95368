import Vapor

extension Request {
    /// Chrome for pages that are the same for everyone (cached): nobody is signed in.
    var publicChrome: PageChrome {
        PageChrome(organization: application.settings.organization, signedInAs: nil, notice: nil)
    }

    /// Chrome for per-request pages: the signed-in user and an optional notice.
    func chrome(notice: String? = nil) -> PageChrome {
        PageChrome(organization: application.settings.organization, signedInAs: auth.get(User.self)?.email, notice: notice)
    }
}
