import ChartCore
import Foundation

/// The shared clinic's schema on PostgreSQL, in versioned migrations like SQLite's. Columns keep
/// SQLite's names and storage classes (BIGINT for INTEGER, TEXT for TEXT and times, 0/1 for
/// flags), so a session's data hash, its frozen document and the audit chain come out the same
/// on both backends. The server enforces the record: guards in triggers, the audit chain
/// computed by the server itself (id, link, hash and, for clinicians, the actor: `session_user`),
/// and tables owned by the owner role (`PostgresRoles`).
enum PostgresSchema {
    /// The migrations, in order: identifier and SQL script.
    static let migrations: [(String, String)] = [
        ("v1: the shared clinic", v1),
        ("v2: the server signs, stamps and guards", v2),
        ("v3: twitch assessed", v3),
        ("v4: needle lots", v4),
        ("v5: credentials, coding and consent forms", v5),
        ("v6: referrals and plan letters", v6),
        ("v7: a needling note is one with points; points wait for a signing", v7),
        ("v8: patient search keys in name order", v8),
        ("v9: each search key carries its patient's terms", v9),
    ]

    /// How the migrations define a function, as its latest `CREATE [OR REPLACE] FUNCTION` writes it.
    struct FunctionDefinition: Equatable {
        /// The PL/pgSQL body between its `$$`, or nil for a SQL-language helper (RETURN …).
        var body: String?
        /// Whether it runs as its owner (SECURITY DEFINER).
        var securityDefiner: Bool
        /// Its fixed `search_path` as the server lists it in `proconfig` ("search_path=…"), if set.
        var config: String?
    }

    /// Every function the migrations write, by name, as the latest migration defines it: `check`
    /// compares the server's bodies (PL/pgSQL only), SECURITY DEFINER flags and search paths with these.
    static let functions: [String: FunctionDefinition] = {
        var found: [String: FunctionDefinition] = [:]
        for (_, sql) in migrations {
            var rest = Substring(sql)
            while let create = [rest.range(of: "CREATE FUNCTION "), rest.range(of: "CREATE OR REPLACE FUNCTION ")]
                    .compactMap({ $0 }).min(by: { $0.lowerBound < $1.lowerBound }) {
                let afterName = rest[create.upperBound...]
                guard let paren = afterName.firstIndex(of: "(") else { break }
                let name = String(afterName[..<paren])
                // A SQL-language function (RETURN …) has no $$ body: the next CREATE comes first.
                let nextCreate = afterName[paren...].range(of: "CREATE ")?.lowerBound ?? afterName.endIndex
                let open = afterName[..<nextCreate].range(of: "$$")
                let header = afterName[paren..<(open?.lowerBound ?? afterName[paren..<nextCreate].range(of: " RETURN ")?.lowerBound ?? nextCreate)]
                var definition = FunctionDefinition(body: nil, securityDefiner: header.contains("SECURITY DEFINER"), config: nil)
                if let set = header.range(of: "SET search_path = ") {
                    let value = header[set.upperBound...].prefix { $0 != "\n" }.trimmingCharacters(in: .whitespaces)
                    let path = value.hasSuffix(" AS") ? String(value.dropLast(3)) : value
                    definition.config = "search_path=" + path
                }
                guard let open, let close = afterName[open.upperBound...].range(of: "$$") else {
                    found[name] = definition
                    rest = afterName[nextCreate...]
                    continue
                }
                definition.body = String(afterName[open.upperBound..<close.lowerBound])
                found[name] = definition
                rest = afterName[close.upperBound...]
            }
        }
        return found
    }()

    /// The PL/pgSQL bodies of the guard functions as the migrations write them, by name: `check`
    /// compares the server's with these, text and all (SQL-language helpers are not compared).
    static var functionBodies: [String: String] { functions.compactMapValues(\.body) }

    /// Whether `identifier` names one of this version's migrations.
    static var known: Set<String> { Set(migrations.map(\.0)) }

    static let v1 = #"""
    CREATE EXTENSION IF NOT EXISTS unaccent;

    -- Search folds case and diacritics as SQLite's FTS (unicode61 remove_diacritics 2) does.
    -- unaccent() is only STABLE (it reads a dictionary), so an index needs this immutable wrapper
    -- naming the dictionary outright.
    CREATE FUNCTION needlechart_fold(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1));

    -- SQLite's COLLATE NOCASE: ASCII letters folded, everything else by bytes.
    CREATE FUNCTION needlechart_nocase(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN translate($1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE "C";

    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE clinicians (
        username TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        credentials TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE patients (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        name TEXT NOT NULL CHECK (length(trim(name)) > 0),
        date_of_birth TEXT NOT NULL,
        chart_number TEXT NOT NULL,
        contact TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        search_extra TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    -- Chart numbers are unique ignoring ASCII case, as SQLite's COLLATE NOCASE.
    CREATE UNIQUE INDEX patients_chart_number ON patients (needlechart_nocase(chart_number));
    CREATE INDEX patients_by_name ON patients (needlechart_nocase(name), id);

    -- Each word of a patient's name, chart number and folded spelling, folded: a typed prefix
    -- finds them through the index (LIKE 'prefix%' with text_pattern_ops), as FTS5's prefix terms.
    CREATE TABLE patient_terms (
        patient_id BIGINT NOT NULL REFERENCES patients(id) ON DELETE CASCADE DEFERRABLE,
        term TEXT NOT NULL
    );
    CREATE INDEX patient_terms_prefix ON patient_terms (term text_pattern_ops, patient_id);
    CREATE INDEX patient_terms_by_patient ON patient_terms (patient_id);
    -- Runs as its owner: clinicians may not write the index of words themselves.
    CREATE FUNCTION needlechart_patient_terms() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = public, pg_temp AS $$
    BEGIN
        DELETE FROM patient_terms WHERE patient_id = NEW.id;
        INSERT INTO patient_terms(patient_id, term)
        SELECT DISTINCT NEW.id, t FROM regexp_split_to_table(
            needlechart_fold(NEW.name || ' ' || NEW.chart_number || ' ' || NEW.search_extra), '[^[:alnum:]]+') AS t
        WHERE t <> '';
        RETURN NEW;
    END $$;
    CREATE TRIGGER patients_terms AFTER INSERT OR UPDATE OF name, chart_number, search_extra ON patients
        FOR EACH ROW EXECUTE FUNCTION needlechart_patient_terms();

    CREATE TABLE sessions (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        patient_id BIGINT NOT NULL REFERENCES patients(id) DEFERRABLE,
        clinician TEXT NOT NULL REFERENCES clinicians(username) DEFERRABLE,
        started_at TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('screening', 'charting', 'close-out', 'signed')),
        condition_id TEXT,
        condition_text TEXT NOT NULL DEFAULT '',
        onset TEXT CHECK (onset IN ('acute', 'chronic')),
        screening TEXT NOT NULL DEFAULT '[]',
        consent_obtained BIGINT NOT NULL DEFAULT 0,
        consent_at TEXT,
        consent_explained TEXT NOT NULL DEFAULT '[]',
        nprs_before BIGINT CHECK (nprs_before BETWEEN 0 AND 10),
        needles_removed BIGINT CHECK (needles_removed >= 0),
        needle_brand TEXT NOT NULL DEFAULT '',
        needle_lot TEXT NOT NULL DEFAULT '',
        nprs_after BIGINT CHECK (nprs_after BETWEEN 0 AND 10),
        adverse_events TEXT NOT NULL DEFAULT '[]',
        aftercare TEXT NOT NULL DEFAULT '[]',
        aftercare_note TEXT NOT NULL DEFAULT '',
        combined_treatments TEXT NOT NULL DEFAULT '[]',
        next_visit TEXT,
        sessions_planned BIGINT,
        plan_note TEXT NOT NULL DEFAULT '',
        signed_by TEXT,
        signature_line TEXT,
        signed_at TEXT,
        signed_snapshot TEXT,
        updated_at TEXT NOT NULL,
        version BIGINT NOT NULL DEFAULT 1,
        updated_by TEXT NOT NULL DEFAULT '',
        consent_obtained_by TEXT,
        not_treated_reason TEXT,
        screening_changes TEXT NOT NULL DEFAULT '[]',
        severe_or_widespread BIGINT NOT NULL DEFAULT 0,
        -- Regulated practice, as SQLite's v9 and v12 add them: kept so that a signing's data hash
        -- (version 4) covers the same columns on both backends. Written by SQLite clinics only so
        -- far (admin copy carries them); NULL for sessions signed here.
        coding_system TEXT,
        procedure_code TEXT,
        signer_credentials TEXT,
        consent_form_version BIGINT,
        consent_form_sha256 TEXT,
        CHECK ((state = 'signed') = (signed_at IS NOT NULL))
    );
    CREATE INDEX sessions_by_patient ON sessions (patient_id, started_at COLLATE "C");
    CREATE INDEX sessions_unsigned ON sessions (clinician) WHERE signed_at IS NULL;

    CREATE TABLE entries (
        id TEXT PRIMARY KEY,
        session_id BIGINT NOT NULL REFERENCES sessions(id) DEFERRABLE,
        position BIGINT NOT NULL,
        region_id TEXT NOT NULL,
        muscle TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('left', 'right', 'midline')),
        needle_count BIGINT NOT NULL CHECK (needle_count >= 1),
        diameter_hundredths BIGINT NOT NULL,
        length_mm BIGINT NOT NULL,
        depth TEXT NOT NULL CHECK (depth IN ('superficial', 'deep')),
        depth_mm BIGINT,
        technique TEXT NOT NULL,
        technique_minutes BIGINT,
        frequency_hz BIGINT,
        twitch_count BIGINT NOT NULL CHECK (twitch_count >= 0),
        twitch_strength TEXT CHECK (twitch_strength IN ('weak', 'strong')),
        sensations TEXT NOT NULL DEFAULT '[]',
        referred_to TEXT NOT NULL DEFAULT '',
        pain_during BIGINT CHECK (pain_during BETWEEN 0 AND 10),
        note TEXT NOT NULL DEFAULT '',
        recorded_at TEXT NOT NULL,
        confirmed_warnings TEXT NOT NULL DEFAULT '[]',
        warnings_confirmed_at TEXT,
        copied_from BIGINT
    );
    CREATE INDEX entries_by_session ON entries (session_id, position);

    -- seq: the order of insertion, as SQLite's rowid orders addenda added at the same time.
    CREATE TABLE addenda (
        seq BIGINT GENERATED ALWAYS AS IDENTITY,
        id TEXT PRIMARY KEY,
        session_id BIGINT NOT NULL REFERENCES sessions(id) DEFERRABLE,
        author TEXT NOT NULL,
        at TEXT NOT NULL,
        text TEXT NOT NULL,
        adverse_event TEXT
    );
    CREATE INDEX addenda_by_session ON addenda (session_id, at COLLATE "C", seq);

    CREATE TABLE signed_documents (
        session_id BIGINT PRIMARY KEY REFERENCES sessions(id) DEFERRABLE,
        document TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        seal TEXT NOT NULL,
        note_text TEXT
    );

    CREATE TABLE audit_log (
        id BIGINT PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('create', 'change', 'delete', 'sign', 'addendum', 'export', 'backup')),
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    -- The chain's head, kept outside the log: it only moves forward.
    CREATE TABLE audit_head (
        one BIGINT PRIMARY KEY CHECK (one = 1),
        id BIGINT NOT NULL,
        hash TEXT NOT NULL
    );
    INSERT INTO audit_head(one, id, hash) VALUES (1, 0, repeat('0', 64));

    -- Every function runs with pg_temp searched last: a clinician's temporary table named like
    -- one of ours (sessions, pg_roles) must never stand in for it inside a guard.
    -- Whether the connected role administers the clinic (the owner role, or a superuser):
    -- only they may write records made elsewhere (an import keeps its own actors).
    CREATE FUNCTION needlechart_is_admin() RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp
        RETURN (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
            OR (EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'needlechart_owner')
                AND pg_has_role(session_user, 'needlechart_owner', 'MEMBER'));

    -- The audit row's hash, exactly as ChartStore's Audit.hash computes it: a version tag, then
    -- each field as its UTF-8 byte length, a colon, its bytes and a newline.
    CREATE FUNCTION needlechart_audit_hash(id bigint, at text, actor text, action text, entity text,
                                           entity_id text, detail text, prev_hash text) RETURNS text
        LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
        data bytea := convert_to(E'needlechart-audit-v1\n', 'UTF8');
        f text;
        b bytea;
    BEGIN
        FOREACH f IN ARRAY ARRAY[id::text, at, actor, action, entity, entity_id, detail, prev_hash] LOOP
            b := convert_to(f, 'UTF8');
            data := data || convert_to(length(b)::text || ':', 'UTF8') || b || '\x0a'::bytea;
        END LOOP;
        RETURN encode(sha256(data), 'hex');
    END $$;

    -- The only way rows enter the log: the server numbers, links and hashes each row under the
    -- head's lock, and a clinician's row names the authenticated role, whatever the client sent.
    CREATE FUNCTION needlechart_audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = public, pg_temp AS $$
    DECLARE
        head_id bigint;
        head_hash text;
    BEGIN
        IF NOT needlechart_is_admin() THEN
            NEW.actor := session_user;
        END IF;
        SELECT id, hash INTO head_id, head_hash FROM audit_head WHERE one = 1 FOR UPDATE;
        NEW.id := head_id + 1;
        NEW.prev_hash := head_hash;
        NEW.hash := needlechart_audit_hash(NEW.id, NEW.at, NEW.actor, NEW.action, NEW.entity, NEW.entity_id, NEW.detail, NEW.prev_hash);
        PERFORM set_config('needlechart.moving_head', 'yes', true);
        UPDATE audit_head SET id = NEW.id, hash = NEW.hash WHERE one = 1;
        PERFORM set_config('needlechart.moving_head', '', true);
        RETURN NEW;
    END $$;
    CREATE TRIGGER audit_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION needlechart_audit_chain();

    CREATE FUNCTION needlechart_refuse() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        RAISE EXCEPTION '%', TG_ARGV[0];
    END $$;
    CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION needlechart_refuse('audit log is append-only');
    CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION needlechart_refuse('audit log is append-only');

    CREATE FUNCTION needlechart_head_forward() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP <> 'UPDATE' OR NEW.id <= OLD.id OR current_setting('needlechart.moving_head', true) IS DISTINCT FROM 'yes' THEN
            RAISE EXCEPTION 'audit log is append-only';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head
        FOR EACH ROW EXECUTE FUNCTION needlechart_head_forward();
    CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
        FOR EACH STATEMENT EXECUTE FUNCTION needlechart_refuse('audit log is append-only');

    -- A signed session never changes, whatever code or client sends the statement; a clinician
    -- signs as the role they authenticated as.
    CREATE FUNCTION needlechart_sessions_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.signed_at IS NOT NULL THEN RAISE EXCEPTION 'signed session is read-only'; END IF;
            RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.signed_at IS NOT NULL THEN
            RAISE EXCEPTION 'signed session is read-only';
        END IF;
        IF NEW.signed_at IS NOT NULL AND NOT needlechart_is_admin() AND NEW.signed_by IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a session is signed by the role that signs it (%), not %', session_user, NEW.signed_by;
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER sessions_guard BEFORE INSERT OR UPDATE OR DELETE ON sessions
        FOR EACH ROW EXECUTE FUNCTION needlechart_sessions_guard();

    CREATE FUNCTION needlechart_entries_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND (SELECT signed_at FROM sessions WHERE id = OLD.session_id) IS NOT NULL THEN
            RAISE EXCEPTION 'signed session is read-only';
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND (SELECT signed_at FROM sessions WHERE id = NEW.session_id) IS NOT NULL THEN
            RAISE EXCEPTION 'signed session is read-only';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER entries_guard BEFORE INSERT OR UPDATE OR DELETE ON entries
        FOR EACH ROW EXECUTE FUNCTION needlechart_entries_guard();

    CREATE FUNCTION needlechart_addenda_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN RAISE EXCEPTION 'addenda are read-only'; END IF;
        IF (SELECT signed_at FROM sessions WHERE id = NEW.session_id) IS NULL THEN
            RAISE EXCEPTION 'addenda are for signed sessions only';
        END IF;
        IF NOT needlechart_is_admin() AND NEW.author IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'an addendum is written by the role that adds it (%), not %', session_user, NEW.author;
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER addenda_guard BEFORE INSERT OR UPDATE OR DELETE ON addenda
        FOR EACH ROW EXECUTE FUNCTION needlechart_addenda_guard();

    CREATE FUNCTION needlechart_documents_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN RAISE EXCEPTION 'signed documents are read-only'; END IF;
        IF (SELECT signed_at FROM sessions WHERE id = NEW.session_id) IS NULL THEN
            RAISE EXCEPTION 'signed documents are written once, at signing';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER signed_documents_guard BEFORE INSERT OR UPDATE OR DELETE ON signed_documents
        FOR EACH ROW EXECUTE FUNCTION needlechart_documents_guard();

    -- A clinician records their own name and credentials, nobody else's.
    CREATE FUNCTION needlechart_clinicians_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF NOT needlechart_is_admin() AND NEW.username IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a clinician''s role records only itself (%), not %', session_user, NEW.username;
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER clinicians_guard BEFORE INSERT OR UPDATE ON clinicians
        FOR EACH ROW EXECUTE FUNCTION needlechart_clinicians_guard();

    CREATE TRIGGER record_no_truncate BEFORE TRUNCATE ON sessions
        FOR EACH STATEMENT EXECUTE FUNCTION needlechart_refuse('signed session is read-only');
    CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
        FOR EACH STATEMENT EXECUTE FUNCTION needlechart_refuse('signed session is read-only');
    CREATE TRIGGER addenda_no_truncate BEFORE TRUNCATE ON addenda
        FOR EACH STATEMENT EXECUTE FUNCTION needlechart_refuse('addenda are read-only');
    CREATE TRIGGER signed_documents_no_truncate BEFORE TRUNCATE ON signed_documents
        FOR EACH STATEMENT EXECUTE FUNCTION needlechart_refuse('signed documents are read-only');
    """#

    /// Issue 11's review of the server's guards: signing only by the session's own clinician, as
    /// themselves, at the server's time; a clinician's audit rows stamped by the server's clock;
    /// a signed note written only by its signer in the signing transaction; a clinician's row of
    /// the clinicians table changed only by that clinician (OLD and NEW).
    static let v2 = #"""
    -- The server's clock, in the stored form (Timestamp.iso): the time of this transaction, so a
    -- signing can read it first and write the very same value.
    CREATE FUNCTION needlechart_now() RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp
        RETURN to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');

    -- A clinician's audit row names the authenticated role and carries the server's clock (read
    -- under the head's lock, so the log's times follow its order), whatever the client sent. Only an
    -- administrator's import keeps the actors and times of records made elsewhere.
    CREATE OR REPLACE FUNCTION needlechart_audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
        head_id bigint;
        head_hash text;
    BEGIN
        SELECT id, hash INTO head_id, head_hash FROM audit_head WHERE one = 1 FOR UPDATE;
        IF NOT needlechart_is_admin() THEN
            NEW.actor := session_user;
            NEW.at := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
        END IF;
        NEW.id := head_id + 1;
        NEW.prev_hash := head_hash;
        NEW.hash := needlechart_audit_hash(NEW.id, NEW.at, NEW.actor, NEW.action, NEW.entity, NEW.entity_id, NEW.detail, NEW.prev_hash);
        PERFORM set_config('needlechart.moving_head', 'yes', true);
        UPDATE audit_head SET id = NEW.id, hash = NEW.hash WHERE one = 1;
        PERFORM set_config('needlechart.moving_head', '', true);
        RETURN NEW;
    END $$;

    -- A signed session never changes. A clinician's draft stays in the name of the role that
    -- started it, and only that role signs it: as itself, with its recorded name and credentials
    -- as the signature line, at the server's time (needlechart_now), once.
    CREATE OR REPLACE FUNCTION needlechart_sessions_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
        line text;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.signed_at IS NOT NULL THEN RAISE EXCEPTION 'signed session is read-only'; END IF;
            RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.signed_at IS NOT NULL THEN
            RAISE EXCEPTION 'signed session is read-only';
        END IF;
        IF needlechart_is_admin() THEN RETURN NEW; END IF;
        IF TG_OP = 'INSERT' AND NEW.clinician IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a session is started by the role that charts it (%), not %', session_user, NEW.clinician;
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.clinician IS DISTINCT FROM OLD.clinician THEN
            RAISE EXCEPTION 'a session stays with the clinician who started it (%)', OLD.clinician;
        END IF;
        IF NEW.signed_at IS NULL THEN
            IF NEW.signed_by IS NOT NULL OR NEW.signature_line IS NOT NULL OR NEW.signed_snapshot IS NOT NULL THEN
                RAISE EXCEPTION 'an unsigned session carries no signature';
            END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'INSERT' THEN
            RAISE EXCEPTION 'a session is started unsigned and signed once charted';
        END IF;
        IF OLD.clinician IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'only the session''s clinician (%) signs it, not %', OLD.clinician, session_user;
        END IF;
        IF NEW.signed_by IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a session is signed by the role that signs it (%), not %', session_user, NEW.signed_by;
        END IF;
        IF NEW.signed_at IS DISTINCT FROM needlechart_now() THEN
            RAISE EXCEPTION 'a signature carries the server''s time (%), not %', needlechart_now(), NEW.signed_at;
        END IF;
        SELECT CASE WHEN c.credentials = '' THEN c.display_name ELSE c.display_name || ', ' || c.credentials END INTO line
            FROM clinicians c WHERE c.username = session_user;
        IF NEW.signature_line IS DISTINCT FROM line THEN
            RAISE EXCEPTION 'a signature line is the signer''s recorded name and credentials (%), not %', line, NEW.signature_line;
        END IF;
        RETURN NEW;
    END $$;

    -- A session's frozen note is written by its signer in the very transaction that signed it (the
    -- row's version is this transaction's): not later, and not by another clinician.
    CREATE OR REPLACE FUNCTION needlechart_documents_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN RAISE EXCEPTION 'signed documents are read-only'; END IF;
        IF (SELECT signed_at FROM sessions WHERE id = NEW.session_id) IS NULL THEN
            RAISE EXCEPTION 'signed documents are written once, at signing';
        END IF;
        IF NOT needlechart_is_admin() AND NOT EXISTS (SELECT 1 FROM sessions WHERE id = NEW.session_id
                AND signed_by = session_user AND xmin = pg_current_xact_id()::xid) THEN
            RAISE EXCEPTION 'signed documents are written once, at signing, by the signer';
        END IF;
        RETURN NEW;
    END $$;

    -- A clinician records their own name and credentials, and changes no one else's row (nor turns
    -- another's row into their own).
    CREATE OR REPLACE FUNCTION needlechart_clinicians_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF needlechart_is_admin() THEN RETURN NEW; END IF;
        IF TG_OP = 'UPDATE' AND OLD.username IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a clinician''s role changes only its own record (%), not %', session_user, OLD.username;
        END IF;
        IF NEW.username IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a clinician''s role records only itself (%), not %', session_user, NEW.username;
        END IF;
        RETURN NEW;
    END $$;
    """#

    /// SQLite's v16: whether a point's twitch response was assessed (0 for a point copied from the
    /// last session until the clinician records one). Existing points were assessed. A column
    /// with a constant default is added without rewriting the table. The entries' guard refuses
    /// any change to a signed session's row, this column included.
    static let v3 = #"""
    ALTER TABLE entries ADD COLUMN twitch_assessed BIGINT NOT NULL DEFAULT 1;
    """#

    /// SQLite's v8: a lot (and expiry) per needle size used in a session (SPEC §9), what a recall
    /// searches. SQLite's columns, with `seq` for the order lots were recorded in (SQLite's rowid,
    /// which an upsert keeps: `lotsInUse` reads newest first by it). The lot index folds case as
    /// SQLite's COLLATE NOCASE. Guarded like the entries: nothing of a signed session's lots is
    /// inserted, changed or deleted, by any client; the guard waits for a signing under way (the
    /// session's row, FOR SHARE) so a lot cannot slip in beside it. A clinician's lot is recorded
    /// in the name of the role that records it, as an addendum is.
    static let v4 = #"""
    CREATE TABLE needle_lots (
        seq BIGINT GENERATED ALWAYS AS IDENTITY,
        session_id BIGINT NOT NULL REFERENCES sessions(id) DEFERRABLE,
        diameter_hundredths BIGINT NOT NULL,
        length_mm BIGINT NOT NULL,
        lot TEXT NOT NULL CHECK (length(lot) BETWEEN 1 AND 20),
        expiry TEXT,
        brand TEXT NOT NULL DEFAULT '',
        gtin TEXT,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (session_id, diameter_hundredths, length_mm, lot)
    );
    CREATE INDEX needle_lots_by_lot ON needle_lots (needlechart_nocase(lot));
    CREATE INDEX needle_lots_by_seq ON needle_lots (seq);

    CREATE FUNCTION needlechart_needle_lots_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND (SELECT signed_at FROM sessions WHERE id = OLD.session_id FOR SHARE) IS NOT NULL THEN
            RAISE EXCEPTION 'signed session is read-only';
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND (SELECT signed_at FROM sessions WHERE id = NEW.session_id FOR SHARE) IS NOT NULL THEN
            RAISE EXCEPTION 'signed session is read-only';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        IF NOT needlechart_is_admin() AND NEW.recorded_by IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a needle lot is recorded by the role that records it (%), not %', session_user, NEW.recorded_by;
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER needle_lots_guard BEFORE INSERT OR UPDATE OR DELETE ON needle_lots
        FOR EACH ROW EXECUTE FUNCTION needlechart_needle_lots_guard();
    CREATE TRIGGER needle_lots_no_truncate BEFORE TRUNCATE ON needle_lots
        FOR EACH STATEMENT EXECUTE FUNCTION needlechart_refuse('signed session is read-only');
    """#

    /// SQLite's v9 and v12 (SPEC §9): a clinician's role, licence and dry needling training on
    /// their own row of `clinicians` (`needlechart_clinicians_guard` already refuses any change to
    /// another's row, whatever column); the clinic's consent form, versioned and insert-only; and
    /// signing under the clinic's rules, enforced by the server as v2 enforces the signer, the time
    /// and the signature line: the signer's credentials as recorded, the clinic's coding, no student
    /// or assistant and no signer under the clinic's minimum training on a needling note. The
    /// settings (coding, dn_min_training_hours) are rows of `settings`, which only the clinic's
    /// administrator writes, as the clinic's name and time zone.
    static let v5 = #"""
    ALTER TABLE clinicians ADD COLUMN role TEXT CHECK (role IN ('physiotherapist', 'student', 'assistant'));
    ALTER TABLE clinicians ADD COLUMN licence TEXT NOT NULL DEFAULT '';
    ALTER TABLE clinicians ADD COLUMN dn_training TEXT;

    -- Each version's text never changes: an edit is the next version. A session's consent points
    -- at the version and hash of the text it was given to (the pair must be a stored version's).
    CREATE TABLE consent_forms (
        version BIGINT PRIMARY KEY CHECK (version >= 1),
        text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 20000),
        sha256 TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (version, sha256)
    );
    ALTER TABLE sessions ADD CONSTRAINT sessions_consent_form FOREIGN KEY (consent_form_version, consent_form_sha256)
        REFERENCES consent_forms(version, sha256) DEFERRABLE;

    -- Insert-only, the next version only, with the hash of its own text; a clinician's version is
    -- stored in the name of their role at the server's time.
    CREATE FUNCTION needlechart_consent_forms_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN RAISE EXCEPTION 'consent forms are read-only: an edit is a new version'; END IF;
        IF NEW.version IS DISTINCT FROM (SELECT coalesce(max(version), 0) + 1 FROM consent_forms) THEN
            RAISE EXCEPTION 'consent forms are insert-only: an edit is a new version after the last';
        END IF;
        IF NEW.sha256 IS DISTINCT FROM encode(sha256(convert_to(NEW.text, 'UTF8')), 'hex') THEN
            RAISE EXCEPTION 'a consent form version is stored with the SHA-256 of its own text';
        END IF;
        IF NOT needlechart_is_admin() AND (NEW.created_by IS DISTINCT FROM session_user OR NEW.created_at IS DISTINCT FROM needlechart_now()) THEN
            RAISE EXCEPTION 'a consent form version is stored by the role that writes it (%), at the server''s time (%)', session_user, needlechart_now();
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER consent_forms_guard BEFORE INSERT OR UPDATE OR DELETE ON consent_forms
        FOR EACH ROW EXECUTE FUNCTION needlechart_consent_forms_guard();
    CREATE TRIGGER consent_forms_no_truncate BEFORE TRUNCATE ON consent_forms
        FOR EACH STATEMENT EXECUTE FUNCTION needlechart_refuse('consent forms are read-only: an edit is a new version');

    -- v2's guard, and at signing what regulated practice adds: the signer's credentials as their
    -- row records them, the clinic's coding (no procedure code without one), and on a needling
    -- note (points charted, not a non-treatment) no student or assistant, and the clinic's
    -- minimum hours of training. A draft carries none of what signing writes.
    CREATE OR REPLACE FUNCTION needlechart_sessions_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
        line text;
        signer_role text;
        recorded jsonb;
        signer_hours text;
        clinic_coding text;
        minimum text;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.signed_at IS NOT NULL THEN RAISE EXCEPTION 'signed session is read-only'; END IF;
            RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.signed_at IS NOT NULL THEN
            RAISE EXCEPTION 'signed session is read-only';
        END IF;
        IF needlechart_is_admin() THEN RETURN NEW; END IF;
        IF TG_OP = 'INSERT' AND NEW.clinician IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a session is started by the role that charts it (%), not %', session_user, NEW.clinician;
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.clinician IS DISTINCT FROM OLD.clinician THEN
            RAISE EXCEPTION 'a session stays with the clinician who started it (%)', OLD.clinician;
        END IF;
        IF NEW.signed_at IS NULL THEN
            IF NEW.signed_by IS NOT NULL OR NEW.signature_line IS NOT NULL OR NEW.signed_snapshot IS NOT NULL
                    OR NEW.coding_system IS NOT NULL OR NEW.procedure_code IS NOT NULL OR NEW.signer_credentials IS NOT NULL THEN
                RAISE EXCEPTION 'an unsigned session carries no signature';
            END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'INSERT' THEN
            RAISE EXCEPTION 'a session is started unsigned and signed once charted';
        END IF;
        IF OLD.clinician IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'only the session''s clinician (%) signs it, not %', OLD.clinician, session_user;
        END IF;
        IF NEW.signed_by IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a session is signed by the role that signs it (%), not %', session_user, NEW.signed_by;
        END IF;
        IF NEW.signed_at IS DISTINCT FROM needlechart_now() THEN
            RAISE EXCEPTION 'a signature carries the server''s time (%), not %', needlechart_now(), NEW.signed_at;
        END IF;
        SELECT CASE WHEN c.credentials = '' THEN c.display_name ELSE c.display_name || ', ' || c.credentials END, c.role,
               jsonb_strip_nulls(jsonb_build_object('role', c.role, 'licence', c.licence, 'training', c.dn_training::jsonb)),
               c.dn_training::jsonb ->> 'hours'
            INTO line, signer_role, recorded, signer_hours
            FROM clinicians c WHERE c.username = session_user;
        IF NEW.signature_line IS DISTINCT FROM line THEN
            RAISE EXCEPTION 'a signature line is the signer''s recorded name and credentials (%), not %', line, NEW.signature_line;
        END IF;
        IF NEW.signer_credentials IS NULL OR NEW.signer_credentials::jsonb IS DISTINCT FROM recorded THEN
            RAISE EXCEPTION 'a signature carries the signer''s recorded role, licence and training (%), not %', recorded, NEW.signer_credentials;
        END IF;
        SELECT CASE WHEN s.value IN ('none', 'us-cpt') THEN s.value END INTO clinic_coding FROM settings s WHERE s.key = 'coding';
        IF NEW.coding_system IS DISTINCT FROM coalesce(clinic_coding, 'none') THEN
            RAISE EXCEPTION 'a signature carries the clinic''s coding (%), not %', coalesce(clinic_coding, 'none'), NEW.coding_system;
        END IF;
        IF NEW.coding_system = 'none' AND NEW.procedure_code IS NOT NULL THEN
            RAISE EXCEPTION 'a note signed without coding carries no procedure code';
        END IF;
        IF NEW.not_treated_reason IS NULL AND EXISTS (SELECT 1 FROM entries e WHERE e.session_id = NEW.id) THEN
            IF signer_role IN ('student', 'assistant') THEN
                RAISE EXCEPTION 'a % cannot sign a dry needling note: the supervising physiotherapist signs it', signer_role;
            END IF;
            SELECT s.value INTO minimum FROM settings s WHERE s.key = 'dn_min_training_hours' AND s.value ~ '^[0-9]{1,6}$';
            IF minimum::integer > 0
                    AND coalesce(CASE WHEN signer_hours ~ '^[0-9]{1,6}$' THEN signer_hours::integer END, 0) < minimum::integer THEN
                RAISE EXCEPTION 'this clinic requires at least % hours of recorded dry needling training to sign a needling note', minimum;
            END IF;
        END IF;
        RETURN NEW;
    END $$;
    """#

    /// SQLite's v10 and v15: a referral per episode of care (SPEC §9), and New Jersey's plan
    /// letters: per episode, numbered plans of planned points; sending a plan's letter keeps the
    /// letter's text and hash and freezes the plan; the physician's answers to a letter are added,
    /// never changed (the latest stands). The store refuses these changes with a message first;
    /// the triggers hold whatever client sends them, and a clinician's rows carry the role they
    /// authenticated as, as their audit rows do.
    static let v6 = #"""
    CREATE TABLE referrals (
        patient_id BIGINT NOT NULL REFERENCES patients(id) DEFERRABLE,
        condition_key TEXT NOT NULL,
        referral TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (patient_id, condition_key)
    );
    CREATE TABLE plans (
        patient_id BIGINT NOT NULL REFERENCES patients(id) DEFERRABLE,
        condition_key TEXT NOT NULL,
        version BIGINT NOT NULL CHECK (version >= 1),
        started_by TEXT NOT NULL,
        started_at TEXT NOT NULL,
        PRIMARY KEY (patient_id, condition_key, version)
    );
    CREATE TABLE planned_points (
        patient_id BIGINT NOT NULL,
        condition_key TEXT NOT NULL,
        version BIGINT NOT NULL,
        position BIGINT NOT NULL,
        region_id TEXT NOT NULL,
        muscle TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('left', 'right', 'midline')),
        needle_count BIGINT NOT NULL,
        diameter_hundredths BIGINT NOT NULL,
        length_mm BIGINT NOT NULL,
        technique TEXT NOT NULL,
        technique_minutes BIGINT,
        frequency_hz BIGINT,
        depth TEXT CHECK (depth IN ('superficial', 'deep')),
        added_by TEXT NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (patient_id, condition_key, version, position),
        FOREIGN KEY (patient_id, condition_key, version) REFERENCES plans(patient_id, condition_key, version) DEFERRABLE
    );
    CREATE TABLE plan_letters (
        patient_id BIGINT NOT NULL,
        condition_key TEXT NOT NULL,
        version BIGINT NOT NULL,
        sent_on TEXT NOT NULL,
        text TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        sent_by TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        PRIMARY KEY (patient_id, condition_key, version),
        FOREIGN KEY (patient_id, condition_key, version) REFERENCES plans(patient_id, condition_key, version) DEFERRABLE
    );
    CREATE TABLE plan_letter_answers (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        patient_id BIGINT NOT NULL,
        condition_key TEXT NOT NULL,
        version BIGINT NOT NULL,
        answer TEXT NOT NULL CHECK (answer IN ('agrees', 'contraindicated')),
        answered_on TEXT NOT NULL,
        how TEXT NOT NULL DEFAULT '',
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        FOREIGN KEY (patient_id, condition_key, version) REFERENCES plan_letters(patient_id, condition_key, version) DEFERRABLE
    );
    CREATE INDEX plan_letter_answers_by_letter ON plan_letter_answers (patient_id, condition_key, version, id);

    -- A clinician records a referral in their own name. Once the episode's plan letters are kept
    -- here, what the referral says of them (and the needling rules read) is theirs: the latest
    -- letter's day and its latest answer, or none; an earlier "contraindicated" that stands until
    -- that letter is answered is set only by the transaction that sends a letter. So a clinician
    -- cannot lift a physician's "contraindicated" by rewriting the referral, even with psql.
    CREATE FUNCTION needlechart_referrals_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
        r jsonb;
        letter_version bigint;
        letter_sent text;
        letter_sent_now boolean;
        answer text;
        answered_on text;
        answered_how text;
    BEGIN
        IF needlechart_is_admin() THEN RETURN NEW; END IF;
        IF NEW.recorded_by IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a referral is recorded by the role that records it (%), not %', session_user, NEW.recorded_by;
        END IF;
        SELECT l.version, l.sent_on, l.xmin = pg_current_xact_id()::xid INTO letter_version, letter_sent, letter_sent_now
            FROM plan_letters l WHERE l.patient_id = NEW.patient_id AND l.condition_key = NEW.condition_key ORDER BY l.version DESC LIMIT 1;
        IF letter_version IS NULL THEN RETURN NEW; END IF;
        SELECT a.answer, a.answered_on, a.how INTO answer, answered_on, answered_how FROM plan_letter_answers a
            WHERE a.patient_id = NEW.patient_id AND a.condition_key = NEW.condition_key AND a.version = letter_version ORDER BY a.id DESC LIMIT 1;
        r := NEW.referral::jsonb;
        IF r ->> 'planLetterSent' IS DISTINCT FROM letter_sent OR r ->> 'physicianAnswer' IS DISTINCT FROM answer
                OR r ->> 'answeredOn' IS DISTINCT FROM answered_on OR coalesce(r ->> 'answeredHow', '') IS DISTINCT FROM coalesce(answered_how, '') THEN
            RAISE EXCEPTION 'a referral''s plan letter and answer are the letters'' own (letter % sent %, answered %)', letter_version, letter_sent, coalesce(answer, 'not yet');
        END IF;
        IF answer IS NOT NULL AND r ? 'standingContraindication' THEN
            RAISE EXCEPTION 'an earlier plan''s "contraindicated" stands only until the latest letter is answered';
        END IF;
        IF answer IS NULL AND NOT letter_sent_now AND r ->> 'standingContraindication'
                IS DISTINCT FROM (CASE WHEN TG_OP = 'UPDATE' THEN OLD.referral::jsonb ->> 'standingContraindication' END) THEN
            RAISE EXCEPTION 'an earlier plan''s "contraindicated" is recorded by sending the next letter, and lifted only by its answer';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER referrals_guard BEFORE INSERT OR UPDATE ON referrals
        FOR EACH ROW EXECUTE FUNCTION needlechart_referrals_guard();

    -- A plan whose letter was sent never changes nor goes; a clinician starts a plan in their own name.
    CREATE FUNCTION needlechart_plans_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (SELECT 1 FROM plan_letters l WHERE l.patient_id = OLD.patient_id
                AND l.condition_key = OLD.condition_key AND l.version = OLD.version) THEN
            RAISE EXCEPTION 'a plan whose letter was sent never changes: a new plan is a new letter';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        IF NOT needlechart_is_admin() AND NEW.started_by IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a plan is started by the role that starts it (%), not %', session_user, NEW.started_by;
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER plans_guard BEFORE INSERT OR UPDATE OR DELETE ON plans
        FOR EACH ROW EXECUTE FUNCTION needlechart_plans_guard();

    -- A sent plan's points are neither added to, changed nor removed (nor moved into it).
    CREATE FUNCTION needlechart_planned_points_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (SELECT 1 FROM plan_letters l WHERE l.patient_id = OLD.patient_id
                AND l.condition_key = OLD.condition_key AND l.version = OLD.version) THEN
            RAISE EXCEPTION 'a plan whose letter was sent never changes: a new plan is a new letter';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        IF EXISTS (SELECT 1 FROM plan_letters l WHERE l.patient_id = NEW.patient_id
                AND l.condition_key = NEW.condition_key AND l.version = NEW.version) THEN
            RAISE EXCEPTION 'a plan whose letter was sent never changes: a new plan is a new letter';
        END IF;
        IF NOT needlechart_is_admin() AND NEW.added_by IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a planned point is added by the role that adds it (%), not %', session_user, NEW.added_by;
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER planned_points_guard BEFORE INSERT OR UPDATE OR DELETE ON planned_points
        FOR EACH ROW EXECUTE FUNCTION needlechart_planned_points_guard();

    -- A sent letter never changes nor goes; a clinician sends in their own name.
    CREATE FUNCTION needlechart_plan_letters_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN RAISE EXCEPTION 'a sent plan letter never changes: a new plan is a new letter'; END IF;
        IF NOT needlechart_is_admin() AND NEW.sent_by IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a plan letter is sent by the role that sends it (%), not %', session_user, NEW.sent_by;
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER plan_letters_guard BEFORE INSERT OR UPDATE OR DELETE ON plan_letters
        FOR EACH ROW EXECUTE FUNCTION needlechart_plan_letters_guard();

    -- An answer is added, never changed nor removed (a later answer stands); a clinician records it in their own name.
    CREATE FUNCTION needlechart_plan_letter_answers_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN RAISE EXCEPTION 'a recorded answer never changes: a later answer is added'; END IF;
        IF NOT needlechart_is_admin() AND NEW.recorded_by IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'an answer is recorded by the role that records it (%), not %', session_user, NEW.recorded_by;
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER plan_letter_answers_guard BEFORE INSERT OR UPDATE OR DELETE ON plan_letter_answers
        FOR EACH ROW EXECUTE FUNCTION needlechart_plan_letter_answers_guard();

    CREATE TRIGGER plans_no_truncate BEFORE TRUNCATE ON plans
        FOR EACH STATEMENT EXECUTE FUNCTION needlechart_refuse('a plan whose letter was sent never changes: a new plan is a new letter');
    CREATE TRIGGER planned_points_no_truncate BEFORE TRUNCATE ON planned_points
        FOR EACH STATEMENT EXECUTE FUNCTION needlechart_refuse('a plan whose letter was sent never changes: a new plan is a new letter');
    CREATE TRIGGER plan_letters_no_truncate BEFORE TRUNCATE ON plan_letters
        FOR EACH STATEMENT EXECUTE FUNCTION needlechart_refuse('a sent plan letter never changes: a new plan is a new letter');
    CREATE TRIGGER plan_letter_answers_no_truncate BEFORE TRUNCATE ON plan_letter_answers
        FOR EACH STATEMENT EXECUTE FUNCTION needlechart_refuse('a recorded answer never changes: a later answer is added');
    """#

    /// An adversarial review of v4 to v6. A session with points charted is a needling note
    /// whatever its "not treated" column says (the app never signs one marked not treated that
    /// has points), so a student or a signer under the clinic's minimum cannot sign it by marking
    /// it not treated with psql. And a point waits for a signing under way (the session's row,
    /// FOR SHARE), as a lot does since v4: read unlocked, a point inserted while another
    /// transaction signed the session landed in the signed session, outside what it hashed.
    static let v7 = #"""
    CREATE OR REPLACE FUNCTION needlechart_entries_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND (SELECT signed_at FROM sessions WHERE id = OLD.session_id FOR SHARE) IS NOT NULL THEN
            RAISE EXCEPTION 'signed session is read-only';
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND (SELECT signed_at FROM sessions WHERE id = NEW.session_id FOR SHARE) IS NOT NULL THEN
            RAISE EXCEPTION 'signed session is read-only';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$;

    -- v5's guard, with a needling note being any session with points charted.
    CREATE OR REPLACE FUNCTION needlechart_sessions_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
        line text;
        signer_role text;
        recorded jsonb;
        signer_hours text;
        clinic_coding text;
        minimum text;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.signed_at IS NOT NULL THEN RAISE EXCEPTION 'signed session is read-only'; END IF;
            RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.signed_at IS NOT NULL THEN
            RAISE EXCEPTION 'signed session is read-only';
        END IF;
        IF needlechart_is_admin() THEN RETURN NEW; END IF;
        IF TG_OP = 'INSERT' AND NEW.clinician IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a session is started by the role that charts it (%), not %', session_user, NEW.clinician;
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.clinician IS DISTINCT FROM OLD.clinician THEN
            RAISE EXCEPTION 'a session stays with the clinician who started it (%)', OLD.clinician;
        END IF;
        IF NEW.signed_at IS NULL THEN
            IF NEW.signed_by IS NOT NULL OR NEW.signature_line IS NOT NULL OR NEW.signed_snapshot IS NOT NULL
                    OR NEW.coding_system IS NOT NULL OR NEW.procedure_code IS NOT NULL OR NEW.signer_credentials IS NOT NULL THEN
                RAISE EXCEPTION 'an unsigned session carries no signature';
            END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'INSERT' THEN
            RAISE EXCEPTION 'a session is started unsigned and signed once charted';
        END IF;
        IF OLD.clinician IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'only the session''s clinician (%) signs it, not %', OLD.clinician, session_user;
        END IF;
        IF NEW.signed_by IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a session is signed by the role that signs it (%), not %', session_user, NEW.signed_by;
        END IF;
        IF NEW.signed_at IS DISTINCT FROM needlechart_now() THEN
            RAISE EXCEPTION 'a signature carries the server''s time (%), not %', needlechart_now(), NEW.signed_at;
        END IF;
        SELECT CASE WHEN c.credentials = '' THEN c.display_name ELSE c.display_name || ', ' || c.credentials END, c.role,
               jsonb_strip_nulls(jsonb_build_object('role', c.role, 'licence', c.licence, 'training', c.dn_training::jsonb)),
               c.dn_training::jsonb ->> 'hours'
            INTO line, signer_role, recorded, signer_hours
            FROM clinicians c WHERE c.username = session_user;
        IF NEW.signature_line IS DISTINCT FROM line THEN
            RAISE EXCEPTION 'a signature line is the signer''s recorded name and credentials (%), not %', line, NEW.signature_line;
        END IF;
        IF NEW.signer_credentials IS NULL OR NEW.signer_credentials::jsonb IS DISTINCT FROM recorded THEN
            RAISE EXCEPTION 'a signature carries the signer''s recorded role, licence and training (%), not %', recorded, NEW.signer_credentials;
        END IF;
        SELECT CASE WHEN s.value IN ('none', 'us-cpt') THEN s.value END INTO clinic_coding FROM settings s WHERE s.key = 'coding';
        IF NEW.coding_system IS DISTINCT FROM coalesce(clinic_coding, 'none') THEN
            RAISE EXCEPTION 'a signature carries the clinic''s coding (%), not %', coalesce(clinic_coding, 'none'), NEW.coding_system;
        END IF;
        IF NEW.coding_system = 'none' AND NEW.procedure_code IS NOT NULL THEN
            RAISE EXCEPTION 'a note signed without coding carries no procedure code';
        END IF;
        IF EXISTS (SELECT 1 FROM entries e WHERE e.session_id = NEW.id) THEN
            IF signer_role IN ('student', 'assistant') THEN
                RAISE EXCEPTION 'a % cannot sign a dry needling note: the supervising physiotherapist signs it', signer_role;
            END IF;
            SELECT s.value INTO minimum FROM settings s WHERE s.key = 'dn_min_training_hours' AND s.value ~ '^[0-9]{1,6}$';
            IF minimum::integer > 0
                    AND coalesce(CASE WHEN signer_hours ~ '^[0-9]{1,6}$' THEN signer_hours::integer END, 0) < minimum::integer THEN
                RAISE EXCEPTION 'this clinic requires at least % hours of recorded dry needling training to sign a needling note', minimum;
            END IF;
        END IF;
        RETURN NEW;
    END $$;

    -- A plan's points and its letter wait for each other: both lock the patient's row (as the
    -- store's episode changes do) before looking, so a point inserted with psql while another
    -- transaction sends the plan's letter waits for it and is then refused, where it used to land
    -- in the sent plan, outside the letter. A clinician's letter carries its own text's hash.
    CREATE OR REPLACE FUNCTION needlechart_planned_points_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM 1 FROM patients WHERE id = OLD.patient_id FOR NO KEY UPDATE;
            IF EXISTS (SELECT 1 FROM plan_letters l WHERE l.patient_id = OLD.patient_id
                    AND l.condition_key = OLD.condition_key AND l.version = OLD.version) THEN
                RAISE EXCEPTION 'a plan whose letter was sent never changes: a new plan is a new letter';
            END IF;
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        PERFORM 1 FROM patients WHERE id = NEW.patient_id FOR NO KEY UPDATE;
        IF EXISTS (SELECT 1 FROM plan_letters l WHERE l.patient_id = NEW.patient_id
                AND l.condition_key = NEW.condition_key AND l.version = NEW.version) THEN
            RAISE EXCEPTION 'a plan whose letter was sent never changes: a new plan is a new letter';
        END IF;
        IF NOT needlechart_is_admin() AND NEW.added_by IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a planned point is added by the role that adds it (%), not %', session_user, NEW.added_by;
        END IF;
        RETURN NEW;
    END $$;

    CREATE OR REPLACE FUNCTION needlechart_plan_letters_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN RAISE EXCEPTION 'a sent plan letter never changes: a new plan is a new letter'; END IF;
        PERFORM 1 FROM patients WHERE id = NEW.patient_id FOR NO KEY UPDATE;
        IF NOT needlechart_is_admin() AND NEW.sent_by IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'a plan letter is sent by the role that sends it (%), not %', session_user, NEW.sent_by;
        END IF;
        IF NOT needlechart_is_admin() AND NEW.sha256 IS DISTINCT FROM encode(sha256(convert_to(NEW.text, 'UTF8')), 'hex') THEN
            RAISE EXCEPTION 'a plan letter is kept with the SHA-256 of its own text';
        END IF;
        RETURN NEW;
    END $$;

    -- A session's consent form reference is a stored version and its hash, or nothing: the
    -- composite key (MATCH SIMPLE) let half of it through. New rows only (NOT VALID): the
    -- store has always written both or neither.
    ALTER TABLE sessions ADD CONSTRAINT sessions_consent_form_whole
        CHECK ((consent_form_version IS NULL) = (consent_form_sha256 IS NULL)) NOT VALID;

    -- v6's answers guard, with the order a letter and its answer come in: a clinician's answer is
    -- dated on or after the day its letter was sent, as the app refuses an earlier one.
    CREATE OR REPLACE FUNCTION needlechart_plan_letter_answers_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN RAISE EXCEPTION 'a recorded answer never changes: a later answer is added'; END IF;
        IF NOT needlechart_is_admin() AND NEW.recorded_by IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'an answer is recorded by the role that records it (%), not %', session_user, NEW.recorded_by;
        END IF;
        IF NOT needlechart_is_admin() AND NEW.answered_on COLLATE "C" < (SELECT l.sent_on FROM plan_letters l WHERE l.patient_id = NEW.patient_id
                AND l.condition_key = NEW.condition_key AND l.version = NEW.version) COLLATE "C" THEN
            RAISE EXCEPTION 'an answer is dated on or after the day its letter was sent';
        END IF;
        RETURN NEW;
    END $$;
    """#

    /// Search flat as the clinic grows (SPEC §7), as SQLite's `patient_search_keys`: every prefix
    /// of every folded term of a patient, with the patient's name order beside it, so a typed word
    /// is one key whose patients the index already holds in name order and a keystroke reads its
    /// page and stops. Over the terms with `LIKE 'prefix%'`, a short prefix gathered and sorted
    /// every match (names typed at full scale: 6.8 ms median, 15.3 ms p99). The trigger that keeps
    /// the terms keeps the keys (a clinician's role cannot write either). The patients' name
    /// index sorts bytes too: `needlechart_nocase`'s `COLLATE "C"` does not survive its inlining,
    /// so on a database whose collation follows a language (ICU en-US) the list sorted "Ånna"
    /// beside "anna", where SQLite and the search keys put it after "Zoë".
    static let v8 = #"""
    DROP INDEX patients_by_name;
    CREATE INDEX patients_by_name ON patients ((needlechart_nocase(name) COLLATE "C"), id);
    CREATE TABLE patient_search_keys (
        key TEXT COLLATE "C" NOT NULL,
        name_order TEXT COLLATE "C" NOT NULL,
        patient_id BIGINT NOT NULL REFERENCES patients(id) ON DELETE CASCADE DEFERRABLE,
        PRIMARY KEY (key, name_order, patient_id)
    );
    CREATE INDEX patient_search_keys_by_patient ON patient_search_keys (patient_id, key);
    INSERT INTO patient_search_keys(key, name_order, patient_id)
        SELECT DISTINCT left(t.term, n), needlechart_nocase(p.name), p.id
        FROM patient_terms t JOIN patients p ON p.id = t.patient_id, generate_series(1, length(t.term)) AS n;

    CREATE OR REPLACE FUNCTION needlechart_patient_terms() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = public, pg_temp AS $$
    BEGIN
        DELETE FROM patient_terms WHERE patient_id = NEW.id;
        INSERT INTO patient_terms(patient_id, term)
        SELECT DISTINCT NEW.id, t FROM regexp_split_to_table(
            needlechart_fold(NEW.name || ' ' || NEW.chart_number || ' ' || NEW.search_extra), '[^[:alnum:]]+') AS t
        WHERE t <> '';
        DELETE FROM patient_search_keys WHERE patient_id = NEW.id;
        INSERT INTO patient_search_keys(key, name_order, patient_id)
        SELECT DISTINCT left(term, n), needlechart_nocase(NEW.name), NEW.id
        FROM patient_terms, generate_series(1, length(term)) AS n WHERE patient_id = NEW.id;
        RETURN NEW;
    END $$;
    """#

    /// Several words typed, one list read: each search key carries its patient's folded terms
    /// (' term term …', in its index beside the key), so the longest word's keys are read in name
    /// order and every other word is checked against the terms in the same index entry, with no
    /// join of one word's keys to another's and no lookup per patient. The joined lists cost
    /// their merge or a probe of each other word per candidate, and the planner 0.3–0.6 ms to
    /// choose (full scale: "Văn Minh P" 2.0–2.4 ms a keystroke, its plan 0.62 ms of it). The keys
    /// are derived data: the table is made anew, the trigger that keeps them writes the terms.
    static let v9 = #"""
    DROP TABLE patient_search_keys;
    CREATE TABLE patient_search_keys (
        key TEXT COLLATE "C" NOT NULL,
        name_order TEXT COLLATE "C" NOT NULL,
        patient_id BIGINT NOT NULL REFERENCES patients(id) ON DELETE CASCADE DEFERRABLE,
        terms TEXT COLLATE "C",
        PRIMARY KEY (key, name_order, patient_id) INCLUDE (terms)
    );
    -- The terms as a key's index entry carries them: none where, with the name order and the key,
    -- they could pass an index entry's 2,704 bytes (a long name in letters of several code
    -- points); search then reads that patient's terms from patient_terms.
    CREATE FUNCTION needlechart_entry_terms(name_order text, terms text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN CASE WHEN octet_length(name_order) + 2 * octet_length(terms) <= 2000 THEN terms END;
    CREATE INDEX patient_search_keys_by_patient ON patient_search_keys (patient_id, key);
    INSERT INTO patient_search_keys(key, name_order, patient_id, terms)
        SELECT DISTINCT left(t.term, n), needlechart_nocase(p.name), p.id, needlechart_entry_terms(needlechart_nocase(p.name), a.terms)
        FROM patient_terms t JOIN patients p ON p.id = t.patient_id
        JOIN (SELECT patient_id, ' ' || string_agg(term, ' ' ORDER BY term COLLATE "C") AS terms FROM patient_terms GROUP BY patient_id) a
            ON a.patient_id = p.id,
        generate_series(1, length(t.term)) AS n;

    CREATE OR REPLACE FUNCTION needlechart_patient_terms() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = public, pg_temp AS $$
    BEGIN
        DELETE FROM patient_terms WHERE patient_id = NEW.id;
        INSERT INTO patient_terms(patient_id, term)
        SELECT DISTINCT NEW.id, t FROM regexp_split_to_table(
            needlechart_fold(NEW.name || ' ' || NEW.chart_number || ' ' || NEW.search_extra), '[^[:alnum:]]+') AS t
        WHERE t <> '';
        DELETE FROM patient_search_keys WHERE patient_id = NEW.id;
        INSERT INTO patient_search_keys(key, name_order, patient_id, terms)
        SELECT DISTINCT left(term, n), needlechart_nocase(NEW.name), NEW.id, needlechart_entry_terms(needlechart_nocase(NEW.name),
               (SELECT ' ' || string_agg(a.term, ' ' ORDER BY a.term COLLATE "C") FROM patient_terms a WHERE a.patient_id = NEW.id))
        FROM patient_terms, generate_series(1, length(term)) AS n WHERE patient_id = NEW.id;
        RETURN NEW;
    END $$;
    """#
}
