package httpapi

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/gmc-project/gmc/internal/gmc"
)

// sqlStater is what PostgreSQL's errors offer (pgconn.PgError), named
// here so that the HTTP layer recognises a database that is shutting
// down without importing a driver.
type sqlStater interface{ SQLState() string }

// infrastructureFailure says whether err is a failure of something the
// request needed rather than a bug: a database that is down or
// restarting, or a disk with no room. Those become 503 and 507, so that
// clients and load balancers retry elsewhere or later instead of
// reporting a server bug; everything else stays a 500.
func infrastructureFailure(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: no space left on the server's disk", gmc.ErrStorageFull)
	}
	var st sqlStater
	if errors.As(err, &st) {
		code := st.SQLState()
		switch {
		case code == "53100": // disk_full
			return fmt.Errorf("%w: the database has no space left", gmc.ErrStorageFull)
		case len(code) == 5 && code[:2] == "08", // connection exception
			code == "57P01", code == "57P02", code == "57P03", // shutting down, crashed, starting
			code == "53300": // too many connections
			return fmt.Errorf("%w: the database is not accepting requests", gmc.ErrUnavailable)
		}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: a server this request needs does not answer", gmc.ErrUnavailable)
	}
	return nil
}
