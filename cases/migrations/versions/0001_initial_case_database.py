"""Initial case database: listings and their sightings, findings, cases with their audit trail,
evidence captures, the licence register with history, and the allow-list.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 22:20:20.467313
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "licensees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licensee_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("marks", sa.JSON(), nullable=False),
        sa.Column("goods", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("exit_date", sa.Date(), nullable=True),
        sa.Column("disposal_deadline", sa.Date(), nullable=True),
        sa.Column("shops", sa.JSON(), nullable=False),
        sa.Column("in_register", sa.Boolean(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licensees")),
        sa.UniqueConstraint("licensee_id", name=op.f("uq_licensees_licensee_id")),
    )
    op.create_table(
        "platforms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platforms")),
        sa.UniqueConstraint("slug", name=op.f("uq_platforms_slug")),
    )
    op.create_table(
        "licensee_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licensee_pk", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=2048), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["licensee_pk"], ["licensees.id"], name=op.f("fk_licensee_changes_licensee_pk_licensees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licensee_changes")),
    )
    with op.batch_alter_table("licensee_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_licensee_changes_licensee_pk"), ["licensee_pk"], unique=False)

    op.create_table(
        "sellers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("shop_key", sa.String(length=255), nullable=False),
        sa.Column("shop_id", sa.String(length=255), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("company", sa.String(length=255), nullable=True),
        sa.Column("location", sa.String(length=255), nullable=True),
        sa.Column("shop_url", sa.String(length=2048), nullable=True),
        sa.Column("name_key", sa.String(length=255), nullable=True),
        sa.Column("company_key", sa.String(length=255), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_sellers_platform_id_platforms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers")),
        sa.UniqueConstraint("platform_id", "shop_key", name=op.f("uq_sellers_platform_id_shop_key")),
    )
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sellers_company_key"), ["company_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_sellers_name_key"), ["name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_sellers_platform_id"), ["platform_id"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("mark", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("open_key", sa.String(length=255), nullable=True),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column("assignee", sa.String(length=255), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("relisting_of_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('new', 'triaged', 'confirmed', 'notice_sent', 'removed', 'dismissed', 'escalated')",
            name=op.f("ck_cases_status"),
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_cases_platform_id_platforms")
        ),
        sa.ForeignKeyConstraint(
            ["relisting_of_id"], ["cases.id"], name=op.f("fk_cases_relisting_of_id_cases")
        ),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], name=op.f("fk_cases_seller_id_sellers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("open_key", name=op.f("uq_cases_open_key")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_platform_id"), ["platform_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_relisting_of_id"), ["relisting_of_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_seller_id"), ["seller_id"], unique=False)
        batch_op.create_index("ix_cases_seller_mark_code", ["seller_id", "mark", "code"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_status"), ["status"], unique=False)

    op.create_table(
        "listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_listings_platform_id_platforms")
        ),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], name=op.f("fk_listings_seller_id_sellers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
        sa.UniqueConstraint("platform_id", "external_id", name=op.f("uq_listings_platform_id_external_id")),
    )
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listings_platform_id"), ["platform_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_listings_seller_id"), ["seller_id"], unique=False)

    op.create_table(
        "seller_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("other_seller_id", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=False),
        sa.Column("matched", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("seller_id < other_seller_id", name=op.f("ck_seller_links_ordered")),
        sa.ForeignKeyConstraint(
            ["other_seller_id"], ["sellers.id"], name=op.f("fk_seller_links_other_seller_id_sellers")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_seller_links_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_links")),
        sa.UniqueConstraint(
            "seller_id", "other_seller_id", name=op.f("uq_seller_links_seller_id_other_seller_id")
        ),
    )
    with op.batch_alter_table("seller_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_seller_links_other_seller_id"), ["other_seller_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_seller_links_seller_id"), ["seller_id"], unique=False)

    op.create_table(
        "allow_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("mark", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_allow_list_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_allow_list_listing_id_listings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allow_list")),
        sa.UniqueConstraint("listing_id", "mark", "code", name=op.f("uq_allow_list_listing_id_mark_code")),
    )
    with op.batch_alter_table("allow_list", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allow_list_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_allow_list_listing_id"), ["listing_id"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_listings",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("times_seen", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_listings_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_case_listings_listing_id_listings")
        ),
        sa.PrimaryKeyConstraint("case_id", "listing_id", name=op.f("pk_case_listings")),
    )
    with op.batch_alter_table("case_listings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_listings_listing_id"), ["listing_id"], unique=False)

    op.create_table(
        "evidence_captures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("listing_id", sa.Integer(), nullable=True),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("directory", sa.String(length=2048), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("final_url", sa.String(length=2048), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_evidence_captures_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_evidence_captures_listing_id_listings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_captures")),
    )
    with op.batch_alter_table("evidence_captures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_captures_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_captures_listing_id"), ["listing_id"], unique=False)

    op.create_table(
        "sightings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("times_seen", sa.Integer(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_sightings_listing_id_listings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sightings")),
    )
    with op.batch_alter_table("sightings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sightings_content_hash"), ["content_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_sightings_listing_id"), ["listing_id"], unique=False)

    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("capture_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["capture_id"],
            ["evidence_captures.id"],
            name=op.f("fk_evidence_files_capture_id_evidence_captures"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
        sa.UniqueConstraint("capture_id", "name", name=op.f("uq_evidence_files_capture_id_name")),
    )
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_files_capture_id"), ["capture_id"], unique=False)

    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("sighting_id", sa.Integer(), nullable=False),
        sa.Column("finding_hash", sa.String(length=64), nullable=False),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column("licensee_id", sa.String(length=64), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_findings_listing_id_listings")
        ),
        sa.ForeignKeyConstraint(
            ["sighting_id"], ["sightings.id"], name=op.f("fk_findings_sighting_id_sightings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_findings_listing_id"), ["listing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_findings_sighting_id"), ["sighting_id"], unique=False)

    op.create_table(
        "violations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("allow_entry_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("mark", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["allow_entry_id"], ["allow_list.id"], name=op.f("fk_violations_allow_entry_id_allow_list")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_violations_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["findings.id"], name=op.f("fk_violations_finding_id_findings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violations")),
    )
    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_violations_allow_entry_id"), ["allow_entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_violations_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_violations_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_violations_finding_id"), ["finding_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_violations_finding_id"))
        batch_op.drop_index(batch_op.f("ix_violations_code"))
        batch_op.drop_index(batch_op.f("ix_violations_case_id"))
        batch_op.drop_index(batch_op.f("ix_violations_allow_entry_id"))

    op.drop_table("violations")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_sighting_id"))
        batch_op.drop_index(batch_op.f("ix_findings_listing_id"))

    op.drop_table("findings")
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_files_capture_id"))

    op.drop_table("evidence_files")
    with op.batch_alter_table("sightings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sightings_listing_id"))
        batch_op.drop_index(batch_op.f("ix_sightings_content_hash"))

    op.drop_table("sightings")
    with op.batch_alter_table("evidence_captures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_captures_listing_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_captures_case_id"))

    op.drop_table("evidence_captures")
    with op.batch_alter_table("case_listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_listings_listing_id"))

    op.drop_table("case_listings")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))

    op.drop_table("case_events")
    with op.batch_alter_table("allow_list", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allow_list_listing_id"))
        batch_op.drop_index(batch_op.f("ix_allow_list_case_id"))

    op.drop_table("allow_list")
    with op.batch_alter_table("seller_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seller_links_seller_id"))
        batch_op.drop_index(batch_op.f("ix_seller_links_other_seller_id"))

    op.drop_table("seller_links")
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listings_seller_id"))
        batch_op.drop_index(batch_op.f("ix_listings_platform_id"))

    op.drop_table("listings")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_status"))
        batch_op.drop_index("ix_cases_seller_mark_code")
        batch_op.drop_index(batch_op.f("ix_cases_seller_id"))
        batch_op.drop_index(batch_op.f("ix_cases_relisting_of_id"))
        batch_op.drop_index(batch_op.f("ix_cases_platform_id"))
        batch_op.drop_index(batch_op.f("ix_cases_code"))

    op.drop_table("cases")
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sellers_platform_id"))
        batch_op.drop_index(batch_op.f("ix_sellers_name_key"))
        batch_op.drop_index(batch_op.f("ix_sellers_company_key"))

    op.drop_table("sellers")
    with op.batch_alter_table("licensee_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_licensee_changes_licensee_pk"))

    op.drop_table("licensee_changes")
    op.drop_table("platforms")
    op.drop_table("licensees")
