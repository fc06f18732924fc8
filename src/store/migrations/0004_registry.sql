-- The Otasuketai service registry: providers and their staff, services with their content
-- versions, applications and reviews, renewal reminders, case studies and inquiries.
-- See docs/registry.md. Dates are TEXT 'YYYY-MM-DD' (they sort and compare as text on both
-- backends); times are BIGINT Unix seconds. A NULL column is a fact not (yet) known.

CREATE TABLE providers (
    id @ID@,
    name TEXT NOT NULL UNIQUE,
    head_office_pref TEXT REFERENCES prefectures(code),
    contact_name TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    website TEXT,
    fictitious INTEGER NOT NULL DEFAULT 0 CHECK (fictitious IN (0, 1)),
    -- The date of the provider's first class-1 registration, for class-2 entry.
    class1_first_on TEXT CHECK (class1_first_on IS NULL OR length(class1_first_on) = 10),
    note TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A provider's staff log in as users with role 'provider' and this column set.
ALTER TABLE users ADD COLUMN provider_id BIGINT REFERENCES providers(id);
CREATE INDEX users_provider ON users(provider_id);

-- Monitoring devices and services as the working group listed them (maker, kind, product,
-- functions, ransomware rating with its reason). ref names the source row.
CREATE TABLE monitoring_devices (
    id @ID@,
    ref TEXT UNIQUE,
    maker TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('utm', 'edr', 'simple_edr', 'soc')),
    product TEXT,
    functions TEXT,
    ransomware TEXT NOT NULL CHECK (ransomware IN ('effective', 'partial', 'unknown')),
    reason TEXT,
    source TEXT
);

-- A service: its registration. What it offers lives in service_versions; the public sees
-- public_version_id (the last approved version), never a version under review.
CREATE TABLE services (
    id @ID@,
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    status TEXT NOT NULL CHECK (status IN ('applied', 'under_review', 'registered',
        'renewal_due', 'suspended', 'withdrawn', 'rejected')),
    registration_no TEXT UNIQUE,
    registered_on TEXT CHECK (registered_on IS NULL OR length(registered_on) = 10),
    renewal_on TEXT CHECK (renewal_on IS NULL OR length(renewal_on) = 10),
    status_note TEXT,
    seed_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX services_provider ON services(provider_id);
CREATE INDEX services_listing ON services(status, renewal_on);

CREATE TABLE service_versions (
    id @ID@,
    service_id BIGINT NOT NULL REFERENCES services(id),
    name TEXT NOT NULL,
    summary TEXT,
    service_class BIGINT NOT NULL CHECK (service_class IN (1, 2)),
    monitoring_type TEXT NOT NULL CHECK (monitoring_type IN ('network', 'endpoint', 'combined')),
    nationwide INTEGER NOT NULL CHECK (nationwide IN (0, 1)),
    pref_mask BIGINT NOT NULL,
    monthly_yen BIGINT CHECK (monthly_yen >= 0),
    device_monthly_yen BIGINT CHECK (device_monthly_yen >= 0),
    initial_yen BIGINT CHECK (initial_yen >= 0),
    price_note TEXT,
    helpdesk INTEGER CHECK (helpdesk IN (0, 1)),
    helpdesk_hours TEXT,
    helpdesk_channels BIGINT NOT NULL,
    monitoring_24h INTEGER CHECK (monitoring_24h IN (0, 1)),
    monitoring_method TEXT,
    onsite INTEGER CHECK (onsite IN (0, 1)),
    remote_support INTEGER CHECK (remote_support IN (0, 1)),
    insurance INTEGER CHECK (insurance IN (0, 1)),
    insurance_initial_response INTEGER CHECK (insurance_initial_response IN (0, 1)),
    insurance_pays TEXT,
    insurance_user_pays TEXT,
    contract_terms TEXT,
    contract_min_months BIGINT,
    desc_helpdesk TEXT,
    desc_monitoring TEXT,
    desc_onsite TEXT,
    desc_insurance TEXT,
    class1_since TEXT,
    customers_1y BIGINT,
    monitored_endpoints BIGINT,
    -- The best rating among the devices, kept here so the search needs no second table.
    ransomware_best TEXT NOT NULL CHECK (ransomware_best IN ('effective', 'partial', 'unknown')),
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX service_versions_service ON service_versions(service_id);

ALTER TABLE services ADD COLUMN public_version_id BIGINT REFERENCES service_versions(id);
-- A version belongs to one service, so this is unique; the search joins through it.
CREATE UNIQUE INDEX services_public_version ON services(public_version_id);

CREATE TABLE service_devices (
    version_id BIGINT NOT NULL REFERENCES service_versions(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    catalog_id BIGINT REFERENCES monitoring_devices(id),
    maker TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('utm', 'edr', 'simple_edr', 'soc')),
    product TEXT,
    functions TEXT,
    ransomware TEXT NOT NULL CHECK (ransomware IN ('effective', 'partial', 'unknown')),
    reason TEXT,
    PRIMARY KEY (version_id, position)
);

-- The search index of where a version is offered: one row per prefecture code, or one
-- row '00' for a nationwide service. A search for prefecture P reads the rows P and '00'.
CREATE TABLE service_areas (
    version_id BIGINT NOT NULL REFERENCES service_versions(id) ON DELETE CASCADE,
    pref_code TEXT NOT NULL CHECK (length(pref_code) = 2),
    PRIMARY KEY (version_id, pref_code)
);
CREATE INDEX service_areas_pref ON service_areas(pref_code, version_id);

-- The public list: what the search reads, in one narrow table. The library rewrites a
-- service's rows in the same transaction as every change that can affect them (approval,
-- status, import, provider name): one row per prefecture of its approved content, '00'
-- for a nationwide service, and one row 'ZZ' for the list of all prefectures, for each
-- service that is registered or renewal_due. Whether the renewal date has passed is decided
-- by the query (renewal_on >= today), so a lapsed service leaves the list without a job.
CREATE TABLE service_listing (
    pref_code TEXT NOT NULL CHECK (length(pref_code) = 2),
    service_id BIGINT NOT NULL REFERENCES services(id),
    renewal_on TEXT NOT NULL,
    status TEXT NOT NULL,
    provider_id BIGINT NOT NULL,
    provider_name TEXT NOT NULL,
    fictitious INTEGER NOT NULL,
    name TEXT NOT NULL,
    summary TEXT,
    service_class BIGINT NOT NULL,
    monitoring_type TEXT NOT NULL,
    nationwide INTEGER NOT NULL,
    pref_mask BIGINT NOT NULL,
    monthly_yen BIGINT,
    device_monthly_yen BIGINT,
    initial_yen BIGINT,
    onsite INTEGER,
    monitoring_24h INTEGER,
    insurance INTEGER,
    ransomware_best TEXT NOT NULL,
    registration_no TEXT,
    PRIMARY KEY (pref_code, service_id)
);
CREATE INDEX service_listing_service ON service_listing(service_id);
CREATE INDEX service_listing_provider ON service_listing(provider_id);
-- Every column the search reads, so it is answered from the index alone. summary holds
-- the first 120 characters only, which keeps each entry far below PostgreSQL's limit on
-- the size of an index row.
CREATE INDEX service_listing_search ON service_listing(pref_code, renewal_on, service_id,
    provider_id, provider_name, fictitious, name, summary, service_class, monitoring_type,
    nationwide, pref_mask, monthly_yen, device_monthly_yen, initial_yen, onsite,
    monitoring_24h, insurance, ransomware_best, status, registration_no);

-- Applications (new service, change, renewal) with the proposed version, and their review.
CREATE TABLE applications (
    id @ID@,
    service_id BIGINT NOT NULL REFERENCES services(id),
    version_id BIGINT NOT NULL REFERENCES service_versions(id),
    kind TEXT NOT NULL CHECK (kind IN ('new', 'change', 'renewal')),
    state TEXT NOT NULL CHECK (state IN ('submitted', 'under_review', 'changes_requested',
        'approved', 'rejected', 'withdrawn')),
    standard_version TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    decision_comment TEXT
);
-- At most one open application per service.
CREATE UNIQUE INDEX applications_open ON applications(service_id)
    WHERE state IN ('submitted', 'under_review', 'changes_requested');
CREATE INDEX applications_state ON applications(state, id);

-- The conformance report of an application, requirement by requirement, with the
-- reviewer's judgement beside the automatic verdict.
CREATE TABLE application_checks (
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    requirement_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    check_kind TEXT NOT NULL CHECK (check_kind IN ('auto', 'judgement')),
    verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'judgement')),
    reason_ja TEXT,
    reason_en TEXT,
    judgement TEXT CHECK (judgement IN ('pass', 'fail')),
    judgement_note TEXT,
    judged_by TEXT,
    judged_at BIGINT,
    PRIMARY KEY (application_id, requirement_id)
);

-- Messages to a provider, shown in its portal. dedupe_key makes a reminder idempotent:
-- one per service, renewal date and kind.
CREATE TABLE provider_messages (
    id @ID@,
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    service_id BIGINT REFERENCES services(id),
    kind TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    subject_ja TEXT NOT NULL,
    body_ja TEXT NOT NULL,
    subject_en TEXT NOT NULL,
    body_en TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX provider_messages_provider ON provider_messages(provider_id, id);

-- Mail waiting for a mailer: written in the same transaction as its message.
CREATE TABLE outbox (
    id @ID@,
    message_id BIGINT REFERENCES provider_messages(id),
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox(sent_at, id);

CREATE TABLE case_studies (
    id @ID@,
    service_id BIGINT NOT NULL REFERENCES services(id),
    source TEXT NOT NULL CHECK (source IN ('provider_report', 'webinar', 'other')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    industry TEXT,
    prefecture TEXT REFERENCES prefectures(code),
    state TEXT NOT NULL CHECK (state IN ('draft', 'awaiting_provider', 'changes_requested',
        'confirmed', 'published', 'withdrawn')),
    provider_comment TEXT,
    seed_key TEXT UNIQUE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_at BIGINT
);
CREATE INDEX case_studies_service ON case_studies(service_id, state);

CREATE TABLE inquiries (
    id @ID@,
    service_id BIGINT NOT NULL REFERENCES services(id),
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    name TEXT NOT NULL,
    company TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    prefecture TEXT REFERENCES prefectures(code),
    message TEXT NOT NULL,
    utm_source TEXT,
    utm_medium TEXT,
    utm_campaign TEXT,
    referrer_kind TEXT NOT NULL CHECK (referrer_kind IN ('direct', 'internal', 'search',
        'social', 'government', 'other')),
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX inquiries_provider ON inquiries(provider_id, id);
CREATE INDEX inquiries_created ON inquiries(created_at);

-- Settings of the registry an operator may change (the renewal cycle), and the public
-- list's generation: a number that grows with every change to service_listing, so a web
-- server may cache search pages keyed by it (and by the date).
CREATE TABLE registry_settings (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO registry_settings (name, value) VALUES ('renewal_months', 24);
INSERT INTO registry_settings (name, value) VALUES ('listing_generation', 0);
