//! builtin:migrations — model changes need a newly added migration.

use super::{check, pack_repo, validates};

fn repo() -> crate::support::Repo {
    pack_repo(
        "migrations",
        &[
            ("shop/models.py", "class Order:\n    pass\n"),
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
        &[("shop/models.py", "class Order:\n    total = 1\n")],
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
