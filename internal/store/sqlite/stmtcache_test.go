package sqlite_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gmc-project/gmc/internal/store/sqlite"
)

// The read pool keeps its statements prepared: the same text is prepared
// once, answers follow the data (not the time of preparing), a schema
// change under a kept statement is picked up, and texts past the bound
// still run, unprepared.
func TestPreparedReads(t *testing.T) {
	t.Parallel()
	db := MustOpen(t)
	ctx := context.Background()
	if err := db.WriteExec(ctx, `CREATE TABLE prep_probe (k INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	read := func(q string, args ...any) (string, error) {
		var v string
		err := db.ReadQuery(ctx, q, args...).Scan(&v)
		return v, err
	}
	const q = `SELECT v FROM prep_probe WHERE k = ?`
	before := db.PreparedCount()
	if _, err := read(q, 1); err == nil {
		t.Fatal("read of a missing row succeeded")
	}
	if err := db.WriteExec(ctx, `INSERT INTO prep_probe (k, v) VALUES (1, 'one')`); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if v, err := read(q, 1); err != nil || v != "one" {
			t.Fatalf("read = %q, %v; want one", v, err)
		}
	}
	if got := db.PreparedCount() - before; got != 1 {
		t.Errorf("one text read four times kept %d new statements, want 1", got)
	}

	// A column added after the statement was prepared: SQLite re-prepares
	// a statement whose schema changed, so the kept one still answers.
	if err := db.WriteExec(ctx, `ALTER TABLE prep_probe ADD COLUMN w TEXT DEFAULT 'x'`); err != nil {
		t.Fatal(err)
	}
	if v, err := read(q, 1); err != nil || v != "one" {
		t.Fatalf("read after a schema change = %q, %v; want one", v, err)
	}

	// A bad statement reports its error and is not kept.
	n := db.PreparedCount()
	if _, err := read(`SELECT nope FROM prep_probe`); err == nil {
		t.Error("a statement naming a missing column succeeded")
	}
	if db.PreparedCount() != n {
		t.Error("a statement that failed to prepare was kept")
	}

	// Past the bound, new texts run unprepared and still answer.
	for i := 0; db.PreparedCount() < sqlite.MaxPrepared; i++ {
		if _, err := read(fmt.Sprintf(`SELECT v || '%d' FROM prep_probe WHERE k = ?`, i), 1); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := read(`SELECT v || '!' FROM prep_probe WHERE k = ?`, 1); err != nil || v != "one!" {
		t.Fatalf("read past the bound = %q, %v; want one!", v, err)
	}
	if got := db.PreparedCount(); got != sqlite.MaxPrepared {
		t.Errorf("kept %d statements, want the bound %d", got, sqlite.MaxPrepared)
	}
}
