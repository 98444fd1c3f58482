package migration

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/pressly/goose/v3"

	"github.com/gmc-project/gmc/internal/gmc"
)

// goMigrations are the migrations written in Go, because what they do has
// to match Go code exactly. They keep the numbering of the SQL files.
func goMigrations(dialect goose.Dialect) []*goose.Migration {
	return []*goose.Migration{
		goose.NewGoMigration(13, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			return normalizeEmails(ctx, tx, dialect)
		}}, nil),
		segmentSearchMigration(dialect),
	}
}

// normalizeEmails rewrites every stored address to gmc.NormalizeEmail's
// form, which earlier versions applied only as lower-casing; SQL cannot do
// it, as neither database folds case the way Go does.
//
// Addresses that become equal belong to accounts that are distinct today,
// and merging, renaming or deleting one of them is a decision about
// people's data, not the schema's: the migration then changes nothing and
// fails, naming them, until an operator has resolved each group.
type account struct{ id, email string }

func normalizeEmails(ctx context.Context, tx *sql.Tx, dialect goose.Dialect) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, email FROM users ORDER BY email, id`)
	if err != nil {
		return err
	}
	byNormal := map[string][]account{}
	var normals []string
	for rows.Next() {
		var a account
		if err := rows.Scan(&a.id, &a.email); err != nil {
			rows.Close()
			return err
		}
		n := gmc.NormalizeEmail(a.email)
		if _, seen := byNormal[n]; !seen {
			normals = append(normals, n)
		}
		byNormal[n] = append(byNormal[n], a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := refuseCollisions(byNormal, normals); err != nil {
		return err
	}
	update := `UPDATE users SET email = ? WHERE id = ?`
	if dialect == goose.DialectPostgres {
		update = `UPDATE users SET email = $1 WHERE id = $2`
	}
	for _, n := range normals {
		a := byNormal[n][0]
		if a.email == n {
			continue
		}
		if _, err := tx.ExecContext(ctx, update, n, a.id); err != nil {
			return err
		}
	}
	return nil
}

func refuseCollisions(byNormal map[string][]account, normals []string) error {
	var groups []string
	for _, n := range normals {
		if len(byNormal[n]) < 2 {
			continue
		}
		var members []string
		for _, a := range byNormal[n] {
			members = append(members, fmt.Sprintf("%q (user %s)", a.email, a.id))
		}
		slices.Sort(members)
		groups = append(groups, n+": "+strings.Join(members, ", "))
	}
	if len(groups) == 0 {
		return nil
	}
	return fmt.Errorf("normalise emails: %d address(es) are shared by several accounts once compared after Unicode NFKC and case folding; "+
		"nothing was changed. Change the email of, or delete, all but one account of each group in the users table, then migrate again: %s",
		len(groups), strings.Join(groups, "; "))
}
