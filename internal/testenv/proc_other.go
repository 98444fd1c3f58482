//go:build !linux

package testenv

import (
	"errors"
	"os"
	"syscall"
)

// sysProcAttr supports neither switching users nor a parent-death signal
// outside Linux: run the tests as an ordinary user there, and stop them
// through Main.
func sysProcAttr(acct *account, _ os.Signal) (*syscall.SysProcAttr, error) {
	if acct != nil {
		return nil, errors.New("testenv: cannot start a server as another user on this OS; run the tests as a non-root user")
	}
	return nil, nil
}
