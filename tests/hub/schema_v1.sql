-- The hub's schema before agency keys, signed requests, the location lock and
-- sealed clips (porchlight-hub 0.1.0 as first released), for the upgrade test.
-- Generated from that release's porchlight_hub/db.py; do not edit.

CREATE TABLE agencies (
	id VARCHAR(40) NOT NULL,
	name VARCHAR(120) NOT NULL,
	kind VARCHAR(32) NOT NULL,
	key_hash VARCHAR(64),
	created_at FLOAT NOT NULL,
	revoked_at FLOAT,
	PRIMARY KEY (id),
	UNIQUE (key_hash)
);

CREATE TABLE homes (
	id VARCHAR(40) NOT NULL,
	name VARCHAR(100) NOT NULL,
	latitude FLOAT NOT NULL,
	longitude FLOAT NOT NULL,
	opted_out BOOLEAN NOT NULL,
	token_hash VARCHAR(64),
	created_at FLOAT NOT NULL,
	paired_at FLOAT,
	PRIMARY KEY (id),
	UNIQUE (token_hash)
);

CREATE INDEX ix_homes_location ON homes (latitude, longitude);

CREATE TABLE meta (
	"key" VARCHAR(64) NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY ("key")
);

CREATE TABLE alerts (
	id VARCHAR(40) NOT NULL,
	home_id VARCHAR(40),
	agency_id VARCHAR(40),
	category VARCHAR(32) NOT NULL,
	title VARCHAR(120) NOT NULL,
	description TEXT NOT NULL,
	latitude FLOAT NOT NULL,
	longitude FLOAT NOT NULL,
	created_at FLOAT NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(home_id) REFERENCES homes (id),
	FOREIGN KEY(agency_id) REFERENCES agencies (id)
);

CREATE INDEX ix_alerts_location ON alerts (latitude, longitude);

CREATE INDEX ix_alerts_recent ON alerts (created_at, latitude, longitude, id);

CREATE TABLE pairing_codes (
	code_hash VARCHAR(64) NOT NULL,
	home_id VARCHAR(40) NOT NULL,
	created_at FLOAT NOT NULL,
	expires_at FLOAT NOT NULL,
	used_at FLOAT,
	PRIMARY KEY (code_hash),
	FOREIGN KEY(home_id) REFERENCES homes (id) ON DELETE CASCADE
);

CREATE TABLE pseudonyms (
	agency_id VARCHAR(40) NOT NULL,
	home_id VARCHAR(40) NOT NULL,
	number INTEGER NOT NULL,
	PRIMARY KEY (agency_id, home_id),
	CONSTRAINT uq_pseudonym_number UNIQUE (agency_id, number),
	FOREIGN KEY(agency_id) REFERENCES agencies (id),
	FOREIGN KEY(home_id) REFERENCES homes (id)
);

CREATE TABLE requests (
	id VARCHAR(40) NOT NULL,
	agency_id VARCHAR(40) NOT NULL,
	case_number VARCHAR(64) NOT NULL,
	incident_type VARCHAR(32) NOT NULL,
	description TEXT NOT NULL,
	contact TEXT NOT NULL,
	window_start FLOAT NOT NULL,
	window_end FLOAT NOT NULL,
	latitude FLOAT NOT NULL,
	longitude FLOAT NOT NULL,
	radius_m FLOAT NOT NULL,
	status VARCHAR(16) NOT NULL,
	homes_reached INTEGER NOT NULL,
	created_at FLOAT NOT NULL,
	expires_at FLOAT NOT NULL,
	updated_at FLOAT NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(agency_id) REFERENCES agencies (id)
);

CREATE INDEX ix_requests_case ON requests (agency_id, case_number);

CREATE INDEX ix_requests_status_expiry ON requests (status, expires_at);

CREATE TABLE alert_comments (
	id VARCHAR(40) NOT NULL,
	alert_id VARCHAR(40) NOT NULL,
	home_id VARCHAR(40),
	agency_id VARCHAR(40),
	text TEXT NOT NULL,
	created_at FLOAT NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(alert_id) REFERENCES alerts (id),
	FOREIGN KEY(home_id) REFERENCES homes (id),
	FOREIGN KEY(agency_id) REFERENCES agencies (id)
);

CREATE INDEX ix_alert_comments_alert ON alert_comments (alert_id, created_at);

CREATE TABLE deliveries (
	request_id VARCHAR(40) NOT NULL,
	home_id VARCHAR(40) NOT NULL,
	distance_m FLOAT NOT NULL,
	delivered_at FLOAT NOT NULL,
	decision VARCHAR(16),
	decided_at FLOAT,
	idempotency_key VARCHAR(128),
	decision_digest VARCHAR(64),
	decision_response TEXT,
	share_id VARCHAR(40),
	PRIMARY KEY (request_id, home_id),
	FOREIGN KEY(request_id) REFERENCES requests (id),
	FOREIGN KEY(home_id) REFERENCES homes (id)
);

CREATE INDEX ix_deliveries_home ON deliveries (home_id, delivered_at);

CREATE TABLE shares (
	id VARCHAR(40) NOT NULL,
	request_id VARCHAR(40) NOT NULL,
	home_id VARCHAR(40) NOT NULL,
	agency_id VARCHAR(40) NOT NULL,
	retention_days INTEGER NOT NULL,
	status VARCHAR(16) NOT NULL,
	created_at FLOAT NOT NULL,
	expires_at FLOAT NOT NULL,
	deleted_at FLOAT,
	deleted_reason VARCHAR(16),
	PRIMARY KEY (id),
	FOREIGN KEY(request_id) REFERENCES requests (id),
	FOREIGN KEY(home_id) REFERENCES homes (id),
	FOREIGN KEY(agency_id) REFERENCES agencies (id)
);

CREATE INDEX ix_shares_home ON shares (home_id);

CREATE INDEX ix_shares_request ON shares (request_id);

CREATE INDEX ix_shares_status_expiry ON shares (status, expires_at);

CREATE TABLE share_clips (
	id VARCHAR(40) NOT NULL,
	share_id VARCHAR(40) NOT NULL,
	clip_id VARCHAR(128) NOT NULL,
	camera VARCHAR(128) NOT NULL,
	start FLOAT NOT NULL,
	"end" FLOAT NOT NULL,
	content_type VARCHAR(32) NOT NULL,
	size INTEGER NOT NULL,
	sha256 VARCHAR(64) NOT NULL,
	stored_path VARCHAR(255),
	uploaded_at FLOAT,
	deleted_at FLOAT,
	PRIMARY KEY (id),
	CONSTRAINT uq_share_clip UNIQUE (share_id, clip_id),
	FOREIGN KEY(share_id) REFERENCES shares (id)
);

CREATE TABLE clip_accesses (
	id INTEGER NOT NULL,
	share_clip_id VARCHAR(40) NOT NULL,
	agency_id VARCHAR(40) NOT NULL,
	accessed_at FLOAT NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(share_clip_id) REFERENCES share_clips (id),
	FOREIGN KEY(agency_id) REFERENCES agencies (id)
);
