package sqlite

import (
	"context"
	"fmt"
	"os"
)

// BackupTo writes a consistent copy of the database to path, which must
// not exist, while the database stays in use: VACUUM INTO reads one
// snapshot (WAL lets other connections and processes write meanwhile) and
// writes a compact file that needs no WAL beside it.
func (db *DB) BackupTo(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists", path)
	}
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup: %w", interpretError(err))
	}
	return nil
}
