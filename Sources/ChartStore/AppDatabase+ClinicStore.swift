/// The SQLite backend of the storage seam: `AppDatabase`'s methods already have the protocol's
/// shape, so the conformance is declared here and nothing of the SQLite code moves.
extension AppDatabase: ClinicStore {}
