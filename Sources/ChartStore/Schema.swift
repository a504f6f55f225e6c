import ChartCore
import Foundation
import GRDB

/// The versioned schema. Each migration runs once, in order, from an empty file up.
enum Schema {
    /// What the migrations need from outside the file: the catalogue and clinic time zone under
    /// which signatures made before signed documents existed are frozen, and the time of upgrade.
    struct Setup {
        var catalogue: Catalogue = .builtIn
        var timeZone: TimeZone = TimeZone(secondsFromGMT: 0) ?? .current
        var now: String = Timestamp.iso(Date())
    }

    /// The migrations with the default setup (for tests that migrate part-way).
    static var migrator: DatabaseMigrator { migrator(Setup()) }

    static func migrator(_ setup: Setup) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: patients, sessions, entries, addenda, audit") { db in
            try db.execute(sql: """
                CREATE TABLE settings (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );
                CREATE TABLE clinicians (
                    username TEXT PRIMARY KEY NOT NULL,
                    display_name TEXT NOT NULL,
                    credentials TEXT NOT NULL DEFAULT ''
                );
                CREATE TABLE patients (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
                    date_of_birth TEXT NOT NULL,
                    chart_number TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    contact TEXT NOT NULL DEFAULT '',
                    notes TEXT NOT NULL DEFAULT '',
                    search_extra TEXT NOT NULL DEFAULT '',
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE VIRTUAL TABLE patients_fts USING fts5(
                    name, chart_number, search_extra,
                    content='patients', content_rowid='id',
                    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
                );
                CREATE TRIGGER patients_fts_insert AFTER INSERT ON patients BEGIN
                    INSERT INTO patients_fts(rowid, name, chart_number, search_extra) VALUES (new.id, new.name, new.chart_number, new.search_extra);
                END;
                CREATE TRIGGER patients_fts_delete AFTER DELETE ON patients BEGIN
                    INSERT INTO patients_fts(patients_fts, rowid, name, chart_number, search_extra) VALUES ('delete', old.id, old.name, old.chart_number, old.search_extra);
                END;
                CREATE TRIGGER patients_fts_update AFTER UPDATE ON patients BEGIN
                    INSERT INTO patients_fts(patients_fts, rowid, name, chart_number, search_extra) VALUES ('delete', old.id, old.name, old.chart_number, old.search_extra);
                    INSERT INTO patients_fts(rowid, name, chart_number, search_extra) VALUES (new.id, new.name, new.chart_number, new.search_extra);
                END;

                CREATE TABLE sessions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    patient_id INTEGER NOT NULL REFERENCES patients(id),
                    clinician TEXT NOT NULL REFERENCES clinicians(username),
                    started_at TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('screening', 'charting', 'close-out', 'signed')),
                    condition_id TEXT,
                    condition_text TEXT NOT NULL DEFAULT '',
                    onset TEXT CHECK (onset IN ('acute', 'chronic')),
                    screening TEXT NOT NULL DEFAULT '[]',
                    consent_obtained INTEGER NOT NULL DEFAULT 0,
                    consent_at TEXT,
                    consent_explained TEXT NOT NULL DEFAULT '[]',
                    nprs_before INTEGER CHECK (nprs_before BETWEEN 0 AND 10),
                    needles_removed INTEGER CHECK (needles_removed >= 0),
                    needle_brand TEXT NOT NULL DEFAULT '',
                    needle_lot TEXT NOT NULL DEFAULT '',
                    nprs_after INTEGER CHECK (nprs_after BETWEEN 0 AND 10),
                    adverse_events TEXT NOT NULL DEFAULT '[]',
                    aftercare TEXT NOT NULL DEFAULT '[]',
                    aftercare_note TEXT NOT NULL DEFAULT '',
                    combined_treatments TEXT NOT NULL DEFAULT '[]',
                    next_visit TEXT,
                    sessions_planned INTEGER,
                    plan_note TEXT NOT NULL DEFAULT '',
                    signed_by TEXT,
                    signature_line TEXT,
                    signed_at TEXT,
                    signed_snapshot TEXT,
                    updated_at TEXT NOT NULL,
                    CHECK ((state = 'signed') = (signed_at IS NOT NULL))
                );
                CREATE INDEX sessions_by_patient ON sessions(patient_id, started_at);
                CREATE INDEX sessions_unsigned ON sessions(clinician) WHERE signed_at IS NULL;

                CREATE TABLE entries (
                    id TEXT PRIMARY KEY NOT NULL,
                    session_id INTEGER NOT NULL REFERENCES sessions(id),
                    position INTEGER NOT NULL,
                    region_id TEXT NOT NULL,
                    muscle TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side IN ('left', 'right', 'midline')),
                    needle_count INTEGER NOT NULL CHECK (needle_count >= 1),
                    diameter_hundredths INTEGER NOT NULL,
                    length_mm INTEGER NOT NULL,
                    depth TEXT NOT NULL CHECK (depth IN ('superficial', 'deep')),
                    depth_mm INTEGER,
                    technique TEXT NOT NULL,
                    technique_minutes INTEGER,
                    frequency_hz INTEGER,
                    twitch_count INTEGER NOT NULL CHECK (twitch_count >= 0),
                    twitch_strength TEXT CHECK (twitch_strength IN ('weak', 'strong')),
                    sensations TEXT NOT NULL DEFAULT '[]',
                    referred_to TEXT NOT NULL DEFAULT '',
                    pain_during INTEGER CHECK (pain_during BETWEEN 0 AND 10),
                    note TEXT NOT NULL DEFAULT '',
                    recorded_at TEXT NOT NULL
                );
                CREATE INDEX entries_by_session ON entries(session_id, position);

                CREATE TABLE addenda (
                    id TEXT PRIMARY KEY NOT NULL,
                    session_id INTEGER NOT NULL REFERENCES sessions(id),
                    author TEXT NOT NULL,
                    at TEXT NOT NULL,
                    text TEXT NOT NULL
                );
                CREATE INDEX addenda_by_session ON addenda(session_id, at);

                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL CHECK (action IN ('create', 'change', 'delete', 'sign', 'addendum', 'export', 'backup')),
                    entity TEXT NOT NULL,
                    entity_id TEXT NOT NULL,
                    detail TEXT NOT NULL DEFAULT ''
                );

                -- A signed session never changes, whatever code sends the statement.
                CREATE TRIGGER sessions_signed_no_update BEFORE UPDATE ON sessions
                WHEN old.signed_at IS NOT NULL BEGIN
                    SELECT RAISE(ABORT, 'signed session is read-only');
                END;
                CREATE TRIGGER sessions_signed_no_delete BEFORE DELETE ON sessions
                WHEN old.signed_at IS NOT NULL BEGIN
                    SELECT RAISE(ABORT, 'signed session is read-only');
                END;
                CREATE TRIGGER entries_signed_no_insert BEFORE INSERT ON entries
                WHEN (SELECT signed_at FROM sessions WHERE id = new.session_id) IS NOT NULL BEGIN
                    SELECT RAISE(ABORT, 'signed session is read-only');
                END;
                CREATE TRIGGER entries_signed_no_update BEFORE UPDATE ON entries
                WHEN (SELECT signed_at FROM sessions WHERE id = old.session_id) IS NOT NULL
                  OR (SELECT signed_at FROM sessions WHERE id = new.session_id) IS NOT NULL BEGIN
                    SELECT RAISE(ABORT, 'signed session is read-only');
                END;
                CREATE TRIGGER entries_signed_no_delete BEFORE DELETE ON entries
                WHEN (SELECT signed_at FROM sessions WHERE id = old.session_id) IS NOT NULL BEGIN
                    SELECT RAISE(ABORT, 'signed session is read-only');
                END;
                -- Addenda are added to signed sessions only, and never changed.
                CREATE TRIGGER addenda_only_signed BEFORE INSERT ON addenda
                WHEN (SELECT signed_at FROM sessions WHERE id = new.session_id) IS NULL BEGIN
                    SELECT RAISE(ABORT, 'addenda are for signed sessions only');
                END;
                CREATE TRIGGER addenda_no_update BEFORE UPDATE ON addenda BEGIN
                    SELECT RAISE(ABORT, 'addenda are read-only');
                END;
                CREATE TRIGGER addenda_no_delete BEFORE DELETE ON addenda BEGIN
                    SELECT RAISE(ABORT, 'addenda are read-only');
                END;
                -- The audit log is append-only.
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log BEGIN
                    SELECT RAISE(ABORT, 'audit log is append-only');
                END;
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log BEGIN
                    SELECT RAISE(ABORT, 'audit log is append-only');
                END;
                """)
        }
        migrator.registerMigration("v2: audit log hash chain") { db in
            // Each row carries the previous row's hash and its own, so an edit behind the guards shows.
            try db.execute(sql: """
                ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
                ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';
                DROP TRIGGER audit_no_update;
                """)
            try Audit.chainExisting(db)
            try db.execute(sql: """
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log BEGIN
                    SELECT RAISE(ABORT, 'audit log is append-only');
                END;
                """)
        }
        migrator.registerMigration("perf: patients list by name (clinic-scale benchmark)") { db in
            // The patients list (empty search, the first screen) is ordered by name: read in
            // index order and stop at the limit instead of sorting every patient.
            try db.execute(sql: "CREATE INDEX patients_by_name ON patients(name COLLATE NOCASE, id)")
        }
        migrator.registerMigration("v3: guards against REPLACE") { db in
            // INSERT OR REPLACE deletes the old row without firing DELETE triggers (unless
            // recursive_triggers is on, which the app sets too): refuse the insert itself.
            try db.execute(sql: """
                CREATE TRIGGER sessions_signed_no_replace BEFORE INSERT ON sessions
                WHEN EXISTS (SELECT 1 FROM sessions WHERE id = new.id AND signed_at IS NOT NULL) BEGIN
                    SELECT RAISE(ABORT, 'signed session is read-only');
                END;
                CREATE TRIGGER entries_signed_no_replace BEFORE INSERT ON entries
                WHEN EXISTS (SELECT 1 FROM entries e JOIN sessions s ON s.id = e.session_id
                             WHERE e.id = new.id AND s.signed_at IS NOT NULL) BEGIN
                    SELECT RAISE(ABORT, 'signed session is read-only');
                END;
                CREATE TRIGGER addenda_no_replace BEFORE INSERT ON addenda
                WHEN EXISTS (SELECT 1 FROM addenda WHERE id = new.id) BEGIN
                    SELECT RAISE(ABORT, 'addenda are read-only');
                END;
                CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit_log
                WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = new.id) BEGIN
                    SELECT RAISE(ABORT, 'audit log is append-only');
                END;
                """)
        }
        migrator.registerMigration("v4: signed documents, tamper evidence, draft versions") { db in
            // A save names the draft version it was based on; a stale one is refused (no lost update).
            try db.execute(sql: """
                ALTER TABLE sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE sessions ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
                """)
            try signedDocuments(db, setup)
        }
        migrator.registerMigration("v5: consent obtained by") { db in
            // Who obtained consent (the clinician's account); empty for sessions from before.
            try db.execute(sql: "ALTER TABLE sessions ADD COLUMN consent_obtained_by TEXT")
        }
        migrator.registerMigration("v6: decisions on the record") { db in
            // What was decided during a session: warnings confirmed, points copied, a session
            // closed untreated and why, screening answers that unblocked something and why, and
            // late adverse events coded on addenda, a severe or widespread course. Signings from now on bind these columns too
            // (data hash version 2, addendum hash version 2).
            try db.execute(sql: """
                ALTER TABLE sessions ADD COLUMN not_treated_reason TEXT;
                ALTER TABLE sessions ADD COLUMN screening_changes TEXT NOT NULL DEFAULT '[]';
                ALTER TABLE entries ADD COLUMN confirmed_warnings TEXT NOT NULL DEFAULT '[]';
                ALTER TABLE entries ADD COLUMN warnings_confirmed_at TEXT;
                ALTER TABLE entries ADD COLUMN copied_from INTEGER;
                ALTER TABLE addenda ADD COLUMN adverse_event TEXT;
                ALTER TABLE sessions ADD COLUMN severe_or_widespread INTEGER NOT NULL DEFAULT 0;
                -- UPDATE OR REPLACE onto a signed row's id deletes it without a DELETE trigger
                -- unless recursive_triggers is on (the app sets it; the sqlite3 CLI does not).
                CREATE TRIGGER sessions_signed_no_replace_update BEFORE UPDATE OF id ON sessions
                WHEN new.id <> old.id AND EXISTS (SELECT 1 FROM sessions WHERE id = new.id AND signed_at IS NOT NULL) BEGIN
                    SELECT RAISE(ABORT, 'signed session is read-only');
                END;
                CREATE TRIGGER entries_signed_no_replace_update BEFORE UPDATE OF id ON entries
                WHEN new.id <> old.id AND EXISTS (SELECT 1 FROM entries e JOIN sessions s ON s.id = e.session_id
                                                  WHERE e.id = new.id AND s.signed_at IS NOT NULL) BEGIN
                    SELECT RAISE(ABORT, 'signed session is read-only');
                END;
                """)
        }
        migrator.registerMigration("v7: signed notes keep their text") { db in
            // The note's text as rendered at signing, bound by its hash in the signing's audit
            // row: a text export then needs no JSON decoding (older signatures keep none).
            try db.execute(sql: "ALTER TABLE signed_documents ADD COLUMN note_text TEXT")
        }
        migrator.registerMigration("v8: needle lots") { db in
            // A lot (and expiry) per needle size used in a session (SPEC §9): what a recall
            // searches. Several lots of one size may be used (a second box). Guarded like the
            // entries: nothing of a signed session's lots changes.
            try db.execute(sql: """
                CREATE TABLE needle_lots (
                    session_id INTEGER NOT NULL REFERENCES sessions(id),
                    diameter_hundredths INTEGER NOT NULL,
                    length_mm INTEGER NOT NULL,
                    lot TEXT NOT NULL CHECK (length(lot) BETWEEN 1 AND 20),
                    expiry TEXT,
                    brand TEXT NOT NULL DEFAULT '',
                    gtin TEXT,
                    recorded_by TEXT NOT NULL,
                    recorded_at TEXT NOT NULL,
                    PRIMARY KEY (session_id, diameter_hundredths, length_mm, lot)
                );
                CREATE INDEX needle_lots_by_lot ON needle_lots(lot COLLATE NOCASE);
                CREATE TRIGGER needle_lots_signed_no_insert BEFORE INSERT ON needle_lots
                WHEN (SELECT signed_at FROM sessions WHERE id = new.session_id) IS NOT NULL BEGIN
                    SELECT RAISE(ABORT, 'signed session is read-only');
                END;
                CREATE TRIGGER needle_lots_signed_no_update BEFORE UPDATE ON needle_lots
                WHEN (SELECT signed_at FROM sessions WHERE id = old.session_id) IS NOT NULL
                  OR (SELECT signed_at FROM sessions WHERE id = new.session_id) IS NOT NULL BEGIN
                    SELECT RAISE(ABORT, 'signed session is read-only');
                END;
                CREATE TRIGGER needle_lots_signed_no_delete BEFORE DELETE ON needle_lots
                WHEN (SELECT signed_at FROM sessions WHERE id = old.session_id) IS NOT NULL BEGIN
                    SELECT RAISE(ABORT, 'signed session is read-only');
                END;
                """)
        }
        migrator.registerMigration("v9: coding and credentials at signing") { db in
            // What the signed note says beyond the charting (SPEC §9), kept on the session at
            // signing so the data hash (version 3) binds it: the coding system and procedure code
            // (JSON), and the signer's role, licence and training (JSON). A clinician's profile
            // gains role, licence and dry needling training (JSON).
            try db.execute(sql: """
                ALTER TABLE sessions ADD COLUMN coding_system TEXT;
                ALTER TABLE sessions ADD COLUMN procedure_code TEXT;
                ALTER TABLE sessions ADD COLUMN signer_credentials TEXT;
                ALTER TABLE clinicians ADD COLUMN role TEXT CHECK (role IN ('physiotherapist', 'student', 'assistant'));
                ALTER TABLE clinicians ADD COLUMN licence TEXT NOT NULL DEFAULT '';
                ALTER TABLE clinicians ADD COLUMN dn_training TEXT;
                """)
        }
        migrator.registerMigration("v10: referrals") { db in
            // A referral per episode of care (SPEC §9): a patient and a presenting condition
            // (its catalogue id, else "text:" and its text in lower case). Changes (a written
            // follow-up received, the plan letter sent, the physician's answer) update it; the
            // audit log keeps each version.
            try db.execute(sql: """
                CREATE TABLE referrals (
                    patient_id INTEGER NOT NULL REFERENCES patients(id),
                    condition_key TEXT NOT NULL,
                    referral TEXT NOT NULL,
                    recorded_by TEXT NOT NULL,
                    recorded_at TEXT NOT NULL,
                    PRIMARY KEY (patient_id, condition_key)
                );
                """)
        }
        migrator.registerMigration("v11: search keys") { db in
            // Patient search as index lookups (issue 13; SearchKeys): every prefix of every
            // folded token of a patient's name and chart number, with the name for the order.
            // Written by the store (a trigger cannot fold as the FTS tokenizer does); filled here
            // for the patients already recorded. The triggers mark a patient inserted or changed
            // by any program; the store clears the mark when it writes the keys, and search asks
            // the full-text index about patients still marked (changed behind the store).
            try db.execute(sql: """
                CREATE TABLE patient_search_keys (
                    key TEXT NOT NULL,
                    name TEXT NOT NULL COLLATE NOCASE,
                    patient_id INTEGER NOT NULL REFERENCES patients(id),
                    PRIMARY KEY (key, name, patient_id)
                ) WITHOUT ROWID;
                CREATE INDEX patient_search_keys_by_patient ON patient_search_keys(patient_id, key);
                CREATE TABLE patient_search_stale (
                    patient_id INTEGER PRIMARY KEY NOT NULL
                );
                CREATE TRIGGER patient_search_mark_insert AFTER INSERT ON patients BEGIN
                    INSERT OR IGNORE INTO patient_search_stale(patient_id) VALUES (new.id);
                END;
                CREATE TRIGGER patient_search_mark_update AFTER UPDATE OF id, name, chart_number ON patients BEGIN
                    INSERT OR IGNORE INTO patient_search_stale(patient_id) VALUES (old.id);
                    INSERT OR IGNORE INTO patient_search_stale(patient_id) VALUES (new.id);
                END;
                CREATE TRIGGER patient_search_forget AFTER DELETE ON patients BEGIN
                    DELETE FROM patient_search_keys WHERE patient_id = old.id;
                    DELETE FROM patient_search_stale WHERE patient_id = old.id;
                END;
                """)
            try SearchKeys.fillAll(db)
        }
        migrator.registerMigration("v12: consent forms") { db in
            // The clinic's consent form (SPEC §9), versioned and insert-only: an edit is a new
            // version, numbered after the last, and no version used by a session ever changes.
            // A session records the version and the hash of the text its consent was given to.
            try db.execute(sql: """
                CREATE TABLE consent_forms (
                    version INTEGER PRIMARY KEY NOT NULL CHECK (version >= 1),
                    text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 20000),
                    sha256 TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE TRIGGER consent_forms_next_version BEFORE INSERT ON consent_forms
                WHEN new.version <> coalesce((SELECT max(version) FROM consent_forms), 0) + 1 BEGIN
                    SELECT RAISE(ABORT, 'consent forms are insert-only: an edit is a new version after the last');
                END;
                CREATE TRIGGER consent_forms_no_update BEFORE UPDATE ON consent_forms BEGIN
                    SELECT RAISE(ABORT, 'consent forms are read-only: an edit is a new version');
                END;
                CREATE TRIGGER consent_forms_no_delete BEFORE DELETE ON consent_forms BEGIN
                    SELECT RAISE(ABORT, 'consent forms are read-only: an edit is a new version');
                END;
                ALTER TABLE sessions ADD COLUMN consent_form_version INTEGER REFERENCES consent_forms(version);
                ALTER TABLE sessions ADD COLUMN consent_form_sha256 TEXT;
                """)
        }
        migrator.registerMigration("v13: signed documents, the document last") { db in
            // The same table with the ~19 KB JSON document as its last column (issue 13): SQLite
            // stores the end of a long row as a chain of overflow pages, so a column after the
            // document (its hash, its seal, the kept note text) was read by walking every page
            // of the document. A text export reads the kept text and never the document. The
            // rows stay as they were, and the guards are written again with the same SQL (v4's):
            // dropping the table dropped them.
            try db.execute(sql: """
                CREATE TABLE signed_documents_v13 (
                    session_id INTEGER PRIMARY KEY NOT NULL REFERENCES sessions(id),
                    sha256 TEXT NOT NULL,
                    seal TEXT NOT NULL,
                    note_text TEXT,
                    document TEXT NOT NULL
                );
                INSERT INTO signed_documents_v13(session_id, sha256, seal, note_text, document)
                    SELECT session_id, sha256, seal, note_text, document FROM signed_documents ORDER BY session_id;
                DROP TABLE signed_documents;
                ALTER TABLE signed_documents_v13 RENAME TO signed_documents;
                """)
            try db.execute(sql: signedDocumentGuards)
        }
        migrator.registerMigration("v14: signed notes' kept text in a table of its own") { db in
            // A text export reads every signed note's kept text, hash and seal. Beside each ~19 KB
            // document they shared the document's pages, so reading them for a whole clinic read
            // its documents from disk too (issue 13: 11 GB for 2 GB of text at full scale). They
            // are copied, in session order, into a table of their own, which a text export reads
            // instead; the signed documents' rows are left as they were signed (their note_text is
            // no longer read, and a note signed from now on keeps its text here only). The hash
            // and seal must be the document's (guard); `check` compares all with the signing's.
            try db.execute(sql: keptNoteTextTable("signed_note_texts"))
            try copyKeptNoteTexts(db, into: "signed_note_texts",
                                  from: "SELECT session_id, sha256, seal, note_text FROM signed_documents WHERE note_text IS NOT NULL")
            try db.execute(sql: keptNoteTextGuards)
        }
        migrator.registerMigration("v15: plan letters") { db in
            // New Jersey's plan letter (SPEC §9): per episode, numbered plans of planned points;
            // sending a plan's letter keeps the letter's text and hash and freezes the plan (a
            // new plan is a new version and a new letter). The physician's answers to a letter
            // are added, never changed: the latest stands. The store refuses these changes with
            // a message first; the triggers hold whatever code sends them.
            try db.execute(sql: """
                CREATE TABLE plans (
                    patient_id INTEGER NOT NULL REFERENCES patients(id),
                    condition_key TEXT NOT NULL,
                    version INTEGER NOT NULL CHECK (version >= 1),
                    started_by TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    PRIMARY KEY (patient_id, condition_key, version)
                );
                CREATE TABLE planned_points (
                    patient_id INTEGER NOT NULL,
                    condition_key TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    position INTEGER NOT NULL,
                    region_id TEXT NOT NULL,
                    muscle TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side IN ('left', 'right', 'midline')),
                    needle_count INTEGER NOT NULL,
                    diameter_hundredths INTEGER NOT NULL,
                    length_mm INTEGER NOT NULL,
                    technique TEXT NOT NULL,
                    technique_minutes INTEGER,
                    frequency_hz INTEGER,
                    depth TEXT CHECK (depth IN ('superficial', 'deep')),
                    added_by TEXT NOT NULL,
                    added_at TEXT NOT NULL,
                    PRIMARY KEY (patient_id, condition_key, version, position),
                    FOREIGN KEY (patient_id, condition_key, version) REFERENCES plans(patient_id, condition_key, version)
                );
                CREATE TABLE plan_letters (
                    patient_id INTEGER NOT NULL,
                    condition_key TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    sent_on TEXT NOT NULL,
                    text TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    sent_by TEXT NOT NULL,
                    sent_at TEXT NOT NULL,
                    PRIMARY KEY (patient_id, condition_key, version),
                    FOREIGN KEY (patient_id, condition_key, version) REFERENCES plans(patient_id, condition_key, version)
                );
                CREATE TABLE plan_letter_answers (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    patient_id INTEGER NOT NULL,
                    condition_key TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    answer TEXT NOT NULL CHECK (answer IN ('agrees', 'contraindicated')),
                    answered_on TEXT NOT NULL,
                    how TEXT NOT NULL DEFAULT '',
                    recorded_by TEXT NOT NULL,
                    recorded_at TEXT NOT NULL,
                    FOREIGN KEY (patient_id, condition_key, version) REFERENCES plan_letters(patient_id, condition_key, version)
                );
                CREATE TRIGGER planned_points_sent_no_insert BEFORE INSERT ON planned_points
                WHEN EXISTS (SELECT 1 FROM plan_letters l WHERE l.patient_id = new.patient_id AND l.condition_key = new.condition_key
                             AND l.version = new.version) BEGIN
                    SELECT RAISE(ABORT, 'a plan whose letter was sent never changes: a new plan is a new letter');
                END;
                CREATE TRIGGER planned_points_sent_no_update BEFORE UPDATE ON planned_points
                WHEN EXISTS (SELECT 1 FROM plan_letters l WHERE l.patient_id = old.patient_id AND l.condition_key = old.condition_key
                             AND l.version = old.version)
                  OR EXISTS (SELECT 1 FROM plan_letters l WHERE l.patient_id = new.patient_id AND l.condition_key = new.condition_key
                             AND l.version = new.version) BEGIN
                    SELECT RAISE(ABORT, 'a plan whose letter was sent never changes: a new plan is a new letter');
                END;
                CREATE TRIGGER planned_points_sent_no_delete BEFORE DELETE ON planned_points
                WHEN EXISTS (SELECT 1 FROM plan_letters l WHERE l.patient_id = old.patient_id AND l.condition_key = old.condition_key
                             AND l.version = old.version) BEGIN
                    SELECT RAISE(ABORT, 'a plan whose letter was sent never changes: a new plan is a new letter');
                END;
                CREATE TRIGGER plan_letters_no_update BEFORE UPDATE ON plan_letters BEGIN
                    SELECT RAISE(ABORT, 'a sent plan letter never changes: a new plan is a new letter');
                END;
                CREATE TRIGGER plan_letters_no_delete BEFORE DELETE ON plan_letters BEGIN
                    SELECT RAISE(ABORT, 'a sent plan letter never changes: a new plan is a new letter');
                END;
                CREATE TRIGGER plan_letter_answers_no_update BEFORE UPDATE ON plan_letter_answers BEGIN
                    SELECT RAISE(ABORT, 'a recorded answer never changes: a later answer is added');
                END;
                CREATE TRIGGER plan_letter_answers_no_delete BEFORE DELETE ON plan_letter_answers BEGIN
                    SELECT RAISE(ABORT, 'a recorded answer never changes: a later answer is added');
                END;
                """)
        }
        migrator.registerMigration("v16: twitch assessed") { db in
            // Issue 10: a point copied from the last session has no twitch response of its own
            // until the clinician records one; the note says "not assessed" (0), never "none".
            // Every point charted before was assessed (the default). A column with a constant
            // default is added without rewriting the table (3 million entries at full scale). The
            // guards on entries name no column (BEFORE UPDATE ON entries), so a signed session's
            // points keep this one too; signings from now on bind it (data hash version 5).
            try db.execute(sql: "ALTER TABLE entries ADD COLUMN twitch_assessed INTEGER NOT NULL DEFAULT 1")
        }
        return migrator
    }

    /// Copies kept texts (`select` gives session_id, sha256, seal, note_text) into `table` in
    /// session order. A file with few free pages grows at its end, so their pages ascend with the
    /// session ids and a whole-clinic export reads them in one forward sweep. Where the file has
    /// many free pages (an upgrade through v13 leaves a third of it free), SQLite fills those
    /// first, in an order of its own: measured on such a file, the pages came out descending
    /// (README, "Upgrading a clinic file").
    static func copyKeptNoteTexts(_ db: Database, into table: String, from select: String) throws {
        try db.execute(sql: "INSERT INTO \(table)(session_id, sha256, seal, note_text) \(select) ORDER BY session_id")
    }

    /// The table of signed notes' kept texts (v14), under `name` (`AppDatabase.packKeptNoteTexts`
    /// builds it under another name first).
    static func keptNoteTextTable(_ name: String) -> String {
        """
        CREATE TABLE \(name) (
            session_id INTEGER PRIMARY KEY NOT NULL REFERENCES signed_documents(session_id),
            sha256 TEXT NOT NULL,
            seal TEXT NOT NULL,
            note_text TEXT NOT NULL
        )
        """
    }

    /// A kept note text is written once, at signing — its seal is the audit row just written, the
    /// chain's head — with its document's hash and seal, and never changes (so no text can be
    /// added later to a note signed before texts were kept): v14 writes these guards, and re-packing the table writes them again (one text, so
    /// `check`'s comparison of each trigger's SQL holds either way).
    static let keptNoteTextGuards = """
        CREATE TRIGGER signed_note_texts_only_signed BEFORE INSERT ON signed_note_texts
        WHEN NOT EXISTS (SELECT 1 FROM signed_documents WHERE session_id = new.session_id AND sha256 = new.sha256 AND seal = new.seal)
          OR new.seal IS NOT (SELECT hash FROM audit_head WHERE one = 1)
          OR EXISTS (SELECT 1 FROM signed_note_texts WHERE session_id = new.session_id) BEGIN
            SELECT RAISE(ABORT, 'a signed note keeps its text once, at signing');
        END;
        CREATE TRIGGER signed_note_texts_no_update BEFORE UPDATE ON signed_note_texts BEGIN
            SELECT RAISE(ABORT, 'signed notes are read-only');
        END;
        CREATE TRIGGER signed_note_texts_no_delete BEFORE DELETE ON signed_note_texts BEGIN
            SELECT RAISE(ABORT, 'signed notes are read-only');
        END;
        """

    /// A signed document is written once, with its signature, and never changes: the guards v4
    /// wrote and v13 writes again on the rebuilt table (one text, so `check`'s comparison of each
    /// trigger's SQL holds for files made either way).
    static let signedDocumentGuards = """
        CREATE TRIGGER signed_documents_only_signed BEFORE INSERT ON signed_documents
        WHEN (SELECT signed_at FROM sessions WHERE id = new.session_id) IS NULL
          OR EXISTS (SELECT 1 FROM signed_documents WHERE session_id = new.session_id) BEGIN
            SELECT RAISE(ABORT, 'signed documents are written once, at signing');
        END;
        CREATE TRIGGER signed_documents_no_update BEFORE UPDATE ON signed_documents BEGIN
            SELECT RAISE(ABORT, 'signed documents are read-only');
        END;
        CREATE TRIGGER signed_documents_no_delete BEFORE DELETE ON signed_documents BEGIN
            SELECT RAISE(ABORT, 'signed documents are read-only');
        END;
        """

    /// Signed notes become frozen documents, the audit chain binds records, its head is kept
    /// outside the log, and the clinic's time zone becomes a setting.
    private static func signedDocuments(_ db: Database, _ setup: Setup) throws {
        try db.execute(sql: """
            CREATE TABLE signed_documents (
                session_id INTEGER PRIMARY KEY NOT NULL REFERENCES sessions(id),
                document TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                seal TEXT NOT NULL
            );
            CREATE TABLE audit_head (
                one INTEGER PRIMARY KEY NOT NULL CHECK (one = 1),
                id INTEGER NOT NULL,
                hash TEXT NOT NULL
            );
            INSERT INTO audit_head(one, id, hash) SELECT 1, id, hash FROM audit_log ORDER BY id DESC LIMIT 1;
            """)
        try db.execute(sql: signedDocumentGuards)
        try db.execute(sql: """
            -- The head only moves forward.
            CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
            WHEN new.id <= old.id BEGIN
                SELECT RAISE(ABORT, 'audit log is append-only');
            END;
            CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head BEGIN
                SELECT RAISE(ABORT, 'audit log is append-only');
            END;
            """)
        try db.execute(sql: "INSERT INTO settings(key, value) VALUES ('time_zone', ?) ON CONFLICT(key) DO NOTHING",
                       arguments: [setup.timeZone.identifier])
        // What was recorded before the chain bound records: the patients' identities and the
        // addenda as they stand now, and each signed note frozen as it renders now.
        let actor = "needlechart"
        for row in try Row.fetchAll(db, sql: "SELECT id, name, date_of_birth, chart_number FROM patients ORDER BY id") {
            let hash = Evidence.identityHash(name: row[1], dateOfBirth: row[2], chartNumber: row[3])
            try Audit.append(db, at: setup.now, actor: actor, action: .change, entity: "patient", entityID: String(row[0] as Int64),
                             detail: "identity as stored at upgrade to schema v4; \(Evidence.tagged("identity", hash))")
        }
        for row in try Row.fetchAll(db, sql: Evidence.addendumSQL1 + " ORDER BY session_id, at, rowid") {
            try Audit.append(db, at: setup.now, actor: actor, action: .addendum, entity: "session", entityID: String(row[1] as Int64),
                             detail: "addendum \(row[0] as String) as stored at upgrade to schema v4; \(Evidence.tagged(Evidence.addendumTag(1), Evidence.addendumHash(row, version: 1)))")
        }
        for id in try Int64.fetchAll(db, sql: "SELECT id FROM sessions WHERE signed_at IS NOT NULL ORDER BY id") {
            try Evidence.freeze(db, sessionID: id, catalogue: setup.catalogue, at: setup.now, actor: actor, action: .change,
                                summary: Evidence.upgradeFreezeSummary, firstRelease: true)
        }
    }
}
