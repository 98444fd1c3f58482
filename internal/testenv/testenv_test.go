package testenv_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/gmc-project/gmc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestPostgresSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var schema string
	t.Run("Isolated", func(t *testing.T) {
		conn := mustConnect(t, testenv.PostgresSchema(t))
		if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(schema, "gmctest_") {
			t.Fatalf("current_schema() = %q, want gmctest_…", schema)
		}
		if _, err := conn.Exec(ctx, `CREATE TABLE things (id int)`); err != nil {
			t.Fatalf("CREATE TABLE in the test schema: %v", err)
		}
		other := mustConnect(t, testenv.PostgresSchema(t))
		if _, err := other.Exec(ctx, `SELECT * FROM things`); err == nil {
			t.Error("a second schema sees the first one's table")
		}
	})
	var left bool
	conn := mustConnect(t, testenv.PostgresURL(t))
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left {
		t.Errorf("schema %s still exists after its test ended", schema)
	}
}

func mustConnect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestRedisPrefix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	var prefix string
	t.Run("Write", func(t *testing.T) {
		prefix = testenv.RedisPrefix(t)
		for _, k := range []string{"a", "b:c"} {
			if err := c.Set(ctx, prefix+k, "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
		}
	})
	keys, err := c.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Errorf("keys left after the test ended: %q", keys)
	}
}
