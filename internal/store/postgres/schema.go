package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
)

// OpenSchema opens a store whose tables live in schema of the database at
// rawURL (a postgres:// URL), creating the schema if it is missing, after
// dropping it with everything in it first when reset is set. It lets a tool
// keep data of its own in a server's database without touching gmc's.
func OpenSchema(ctx context.Context, rawURL, schema string, reset bool) (*DB, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, errors.New("open postgres: a schema of its own needs a postgres:// URL")
	}
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{schema}.Sanitize()
	if reset {
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+ident+` CASCADE`); err != nil {
			return nil, err
		}
	}
	if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+ident); err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return Open(ctx, u.String())
}
