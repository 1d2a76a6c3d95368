import Vapor

/// Every route of the site. Public pages stand without sessions (nothing to look up per
/// request, so they can be served from the cache); the rest run with sessions.
func routes(_ app: Application) throws {
    Assets.register(on: app)
    PublicPagesController.register(on: app, cache: app.pageCache)
    CrisisHelperController.register(on: app)
    DirectoryPagesController.register(on: app, cache: app.pageCache)
    // Cached county and program pages list upcoming classes: any class write drops them.
    app.databases.middleware.use(ClassListingsInvalidation(cache: app.pageCache))
    ClassesPublicController.registerCached(on: app, cache: app.pageCache)

    let withSessions = app.grouped(app.sessions.middleware, AccountSessionAuthenticator())
    let protected = ProtectedRoutesBuilder(routes: withSessions, registry: app.protectedRoutes)
    // Class pages render per request (registration forms carry a CSRF token); the
    // list and the feed are cached inside the controller.
    ClassesPublicController.register(on: withSessions)
    // Cached for the public; rendered with staff links for its coordinators.
    DirectoryPagesController.registerProgramPage(on: withSessions, cache: app.pageCache)
    SignInController.register(on: withSessions)
    app.lifecycle.use(SignInLinkQueue.Drain())
    AccountLinksController.register(on: withSessions, protected: protected)
    AdminAccountsController.register(on: protected)
    AuditController.register(on: protected)
    OutboxController.register(on: protected)
    DirectoryEditController.register(on: protected)
    ClassesStaffController.register(on: protected)
    CoursesController.register(public: withSessions, protected: protected)
    AttendanceController.register(on: protected, app: app)
    EvaluationsController.register(on: protected)
    CompletionController.register(on: protected)
    CertificatesController.register(public: withSessions, protected: protected)
    CertificateAssets.register(on: app)
    TrainingRecordsController.register(on: protected)
    EncountersController.register(on: protected)
    OutcomesController.register(on: withSessions)
    CoverageController.register(public: withSessions, protected: protected)
    StateReportController.register(on: protected)
    OutcomeAssets.register(on: app)
    // The API is stateless: bearer tokens, no sessions, no CSRF.
    APIController.register(on: app)
    APITokensController.register(on: protected)
}
