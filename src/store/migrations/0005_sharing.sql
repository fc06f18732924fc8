-- Incident information sharing: the providers' incident reports, the anonymised counts the
-- statistics are computed from, the providers' API tokens, the operator's published
-- statistics and the sharing settings. See docs/sharing.md.
--
-- One row per report. The columns up to notes are the provider's own record and are shown
-- to that provider alone (and to the operator); everything the statistics, exports and
-- other providers see is in the anonymised columns after them, which the library fills at
-- ingest (month and half instead of the date, family_shared and notes_shared scrubbed).
CREATE TABLE incidents (
    id @ID@,
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    ext_id TEXT NOT NULL, -- the provider's own record id: re-submitting it updates the row
    service_id BIGINT NOT NULL REFERENCES services(id),
    detected_on TEXT NOT NULL CHECK (length(detected_on) = 10),
    customer_name TEXT,
    malware_family TEXT,
    notes TEXT,
    month TEXT NOT NULL CHECK (length(month) = 7),
    half TEXT NOT NULL CHECK (length(half) = 6),
    prefecture TEXT NOT NULL REFERENCES prefectures(code),
    industry TEXT NOT NULL CHECK (length(industry) = 1),
    size_band TEXT NOT NULL CHECK (size_band IN ('1-5', '6-20', '21-50', '51-100', '101-300',
        '301+')),
    threat TEXT NOT NULL CHECK (threat IN ('ransomware', 'malware', 'phishing',
        'unauthorized_access', 'c2', 'defacement', 'other')),
    family_shared TEXT,
    detection TEXT NOT NULL CHECK (detection IN ('utm', 'edr', 'soc', 'user')),
    response TEXT NOT NULL CHECK (response IN ('remote', 'onsite', 'none')),
    outcome TEXT NOT NULL CHECK (outcome IN ('blocked', 'contained', 'damage', 'leak')),
    recovery_days BIGINT CHECK (recovery_days IS NULL OR recovery_days BETWEEN 0 AND 3650),
    cost_band TEXT NOT NULL CHECK (cost_band IN ('none', 'lt_100k', '100k_1m', '1m_10m',
        '10m_plus', 'unknown')),
    notes_shared TEXT,
    tlp TEXT NOT NULL CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
    revision BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_by TEXT NOT NULL,
    UNIQUE (provider_id, ext_id)
);
-- The provider's own list, the most recently added first. Ids only grow, so every new report
-- goes at the end of this index: a large import appends instead of inserting at random.
CREATE INDEX incidents_provider ON incidents(provider_id, id);

-- Counts of reports per dimension value, half-year, TLP and provider, kept by the library in
-- the same transaction as every change to incidents, so that statistics over a million
-- reports read a few thousand rows instead of the reports. dim is one of 'geo' (k1 the
-- prefecture), 'threat', 'family' (k1 the anonymised family, '' when not stated; only
-- ransomware and malware), 'ind_size' (k1 industry, k2 size band), 'response',
-- 'detection', 'outcome', 'recovery' (a band) and 'cost'; k2 is '' when unused.
CREATE TABLE incident_tally (
    dim TEXT NOT NULL,
    half TEXT NOT NULL,
    k1 TEXT NOT NULL,
    k2 TEXT NOT NULL,
    tlp TEXT NOT NULL,
    provider_id BIGINT NOT NULL,
    n BIGINT NOT NULL CHECK (n >= 0),
    PRIMARY KEY (dim, half, k1, k2, tlp, provider_id)
);

-- One API token per provider; only its hash is kept, so a copy of the database submits
-- nothing. A new token replaces the old one.
CREATE TABLE provider_tokens (
    provider_id BIGINT PRIMARY KEY REFERENCES providers(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);

-- Statistics the operator published for the public: the whole anonymised, suppressed
-- document as JSON, exactly as the public page shows it.
CREATE TABLE stats_snapshots (
    id @ID@,
    published_at BIGINT NOT NULL,
    published_by TEXT NOT NULL,
    period_from TEXT,
    period_to TEXT,
    k BIGINT NOT NULL,
    body TEXT NOT NULL
);

CREATE TABLE sharing_settings (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
-- The smallest number of reports a shown count may be built from.
INSERT INTO sharing_settings (name, value) VALUES ('k', 5);
