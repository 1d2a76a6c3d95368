import CITHub
#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

// Everything happens in CITHub so that tests and benchmarks start the same application.
// A failure has been reported by then; exit with a status, not a crash report.
do {
    try await CITHubMain.run()
} catch {
    exit(1)
}
