package sqlite

import "database/sql"

// ReadPoolStats exposes the read pool's counters to the tests.
func (db *DB) ReadPoolStats() sql.DBStats { return db.readPool.Stats() }
