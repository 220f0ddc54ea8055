//! builtin:migrations — model changes need a newly added migration.

use super::{check, judge_edits, must, must_not, pack_repo, validates};

const ORDER: &str = "from django.db import models\n\n\nclass Order(models.Model):\n    pass\n";

fn repo() -> crate::support::Repo {
    pack_repo(
        "migrations",
        &[
            ("shop/models.py", ORDER),
            ("shop/migrations/0001_initial.py", "# initial\n"),
            ("prisma/schema.prisma", "model User {\n  id Int @id\n}\n"),
            (
                "prisma/migrations/20260101_init/migration.sql",
                "CREATE TABLE user;\n",
            ),
        ],
    )
}

#[test]
fn a_model_change_needs_a_new_migration() {
    let repo = repo();
    validates(&repo);
    let (code, text) = check(
        &repo,
        &[(
            "shop/models.py",
            &ORDER.replace(
                "    pass\n",
                "    total = models.DecimalField(max_digits=9, decimal_places=2)\n",
            ),
        )],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("migrations"), "{text}");
    let (code, text) = check(
        &repo,
        &[("shop/migrations/0002_order_total.py", "# total\n")],
    );
    assert_eq!(code, 0, "{text}");
}

#[test]
fn editing_an_old_migration_does_not_satisfy_it() {
    let repo = repo();
    let (code, text) = check(
        &repo,
        &[
            (
                "prisma/schema.prisma",
                "model User {\n  id Int @id\n  name String\n}\n",
            ),
            (
                "prisma/migrations/20260101_init/migration.sql",
                "CREATE TABLE user (name);\n",
            ),
        ],
    );
    assert_eq!(code, 1, "{text}");
}

const DJANGO_MODELS: &str = include_str!("fixtures/django-models.py");

#[test]
fn real_django_model_edits_trigger_on_the_schema_only() {
    let edits = [
        must(
            "    author = models.CharField(max_length=100)\n",
            "    author = models.CharField(max_length=100)\n    reading_time = models.PositiveIntegerField(null=True)\n",
        ),
        must("    summary_html = models.TextField()\n", ""),
        must(
            "headline = models.CharField(max_length=200)",
            "headline = models.CharField(max_length=250)",
        ),
        must("        default=False,", "        default=True,"),
        must("        null=True,", "        null=False,"),
        must("on_delete=models.PROTECT,", "on_delete=models.SET_NULL,"),
        must(
            "        get_latest_by = \"pub_date\"\n",
            "        get_latest_by = \"pub_date\"\n        indexes = [models.Index(fields=[\"slug\"])]\n",
        ),
        must("db_table = \"blog_entries\"", "db_table = \"blog_entry\""),
        must("class Entry(models.Model):", "class Post(models.Model):"),
        // djangoproject.com commits that changed no schema (and added no migration).
        must_not(
            "    def __str__(self):\n        return self.headline\n",
            "    def __str__(self):\n        return f\"{self.headline} ({self.pub_date:%Y})\"\n",
        ),
        must_not(
            "class EntryQuerySet(models.QuerySet):",
            "class EntryManager(models.Manager):",
        ),
        must_not(
            "    @property\n    def pub_date_localized(self):",
            "    @cached_property\n    def pub_date_localized(self):",
        ),
        must_not(
            "from django.utils.html import format_html\n",
            "from django.utils.html import format_html, strip_tags\n",
        ),
        must_not(
            "        Return True if the entry is publicly accessible.",
            "        Return whether the entry is publicly accessible.",
        ),
    ];
    let failures = judge_edits(
        "migrations",
        "migrations",
        "blog/models.py",
        DJANGO_MODELS,
        &edits,
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

const PRISMA: &str = "generator client {\n  provider = \"prisma-client-js\"\n}\n\ndatasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel User {\n  id    Int     @id @default(autoincrement())\n  email String  @unique\n  name  String?\n  posts Post[]\n}\n\nmodel Post {\n  id       Int    @id @default(autoincrement())\n  title    String\n  author   User   @relation(fields: [authorId], references: [id])\n  authorId Int\n\n  @@index([authorId])\n}\n";

#[test]
fn prisma_schema_edits_trigger_on_models_not_on_the_generator() {
    let edits = [
        must("  name  String?\n", "  name  String?\n  bio   String?\n"),
        must("  title    String\n", ""),
        must("@@index([authorId])", "@@index([authorId, title])"),
        must(
            "author   User   @relation(fields: [authorId], references: [id])",
            "author   User   @relation(fields: [authorId], references: [id], onDelete: Cascade)",
        ),
        must("model Post {", "model Article {"),
        must_not(
            "provider = \"prisma-client-js\"",
            "provider = \"prisma-client\"",
        ),
        must_not(
            "  posts Post[]\n",
            "  // Posts, newest first.\n  posts Post[]\n",
        ),
    ];
    let failures = judge_edits(
        "migrations",
        "migrations",
        "prisma/schema.prisma",
        PRISMA,
        &edits,
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn sqlalchemy_columns_trigger_and_relationships_do_not() {
    let model = "class User(Base):\n    __tablename__ = \"user_account\"\n\n    id: Mapped[int] = mapped_column(primary_key=True)\n    name: Mapped[str] = mapped_column(String(30))\n    addresses: Mapped[List[\"Address\"]] = relationship(back_populates=\"user\")\n";
    let edits = [
        must("String(30)", "String(50)"),
        must("\"user_account\"", "\"users\""),
        must_not(
            "relationship(back_populates=\"user\")",
            "relationship(back_populates=\"user\", lazy=\"selectin\")",
        ),
    ];
    let failures = judge_edits(
        "migrations",
        "migrations",
        "app/models/user.py",
        model,
        &edits,
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

/// djangoproject.com's foundation.ApprovedGrant before "Hardcoded currency choices in
/// MoneyField", which came with a migration.
const GRANT: &str = "class ApprovedGrant(models.Model):\n    entity = models.CharField(max_length=255)\n    amount = MoneyField(\n        max_digits=10,\n        decimal_places=2,\n        default_currency=\"USD\",\n        default=Decimal(\"0.0\"),\n    )\n";

#[test]
fn a_third_party_fields_choices_on_their_own_line_trigger() {
    let edits = [
        must(
            "        default=Decimal(\"0.0\"),\n",
            "        default=Decimal(\"0.0\"),\n        currency_choices=[\n            (c.code, c.name)\n            for i, c in CURRENCIES.items()\n        ],\n",
        ),
        must("max_digits=10", "max_digits=12"),
    ];
    let failures = judge_edits(
        "migrations",
        "migrations",
        "foundation/models.py",
        GRANT,
        &edits,
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The head of rubygems.org's db/schema.rb (MIT).
const SCHEMA_RB: &str = "ActiveRecord::Schema[8.1].define(version: 2026_08_18_000002) do\n  # These are extensions that must be enabled in order to support this database\n  enable_extension \"hstore\"\n  enable_extension \"pg_catalog.plpgsql\"\n\n  create_table \"admin_github_users\", force: :cascade do |t|\n    t.string \"avatar_url\"\n    t.datetime \"created_at\", null: false\n    t.string \"github_id\"\n    t.string \"login\"\n    t.datetime \"updated_at\", null: false\n    t.index [\"github_id\"], name: \"index_admin_github_users_on_github_id\", unique: true\n  end\nend\n";

#[test]
fn a_rails_schema_dump_changes_only_with_a_new_migration() {
    let repo = pack_repo(
        "migrations",
        &[
            ("db/schema.rb", SCHEMA_RB),
            (
                "db/migrate/20260801000000_create_admin_github_users.rb",
                "class CreateAdminGithubUsers; end\n",
            ),
            (
                "app/models/admin/github_user.rb",
                "class Admin::GithubUser < ApplicationRecord\nend\n",
            ),
        ],
    );
    validates(&repo);
    let dumped = SCHEMA_RB.replace(
        "    t.string \"login\"\n",
        "    t.string \"login\"\n    t.string \"oauth_token\"\n",
    );
    let (code, text) = check(&repo, &[("db/schema.rb", &dumped)]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("migrations-schema"), "{text}");
    let (code, text) = check(
        &repo,
        &[(
            "db/migrate/20260819000000_add_oauth_token_to_admin_github_users.rb",
            "class AddOauthTokenToAdminGithubUsers; end\n",
        )],
    );
    assert_eq!(code, 0, "{text}");
    // Editing an old migration instead does not satisfy it.
    let repo = pack_repo(
        "migrations",
        &[
            ("db/schema.rb", SCHEMA_RB),
            (
                "db/migrate/20260801000000_create_admin_github_users.rb",
                "class CreateAdminGithubUsers; end\n",
            ),
        ],
    );
    let (code, text) = check(
        &repo,
        &[
            ("db/schema.rb", &dumped),
            (
                "db/migrate/20260801000000_create_admin_github_users.rb",
                "class CreateAdminGithubUsers; end # oauth_token\n",
            ),
        ],
    );
    assert_eq!(code, 1, "{text}");
}
