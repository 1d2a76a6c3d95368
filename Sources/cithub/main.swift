import CITHub

// Everything happens in CITHub so that tests and benchmarks start the same application.
try await CITHubMain.run()
