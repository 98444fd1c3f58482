package testenv

import (
	"os"
	"syscall"
)

// sysProcAttr runs the child as acct and has the kernel send it
// parentDeath when the test process dies, so a crashed or killed test run
// does not leave servers behind.
func sysProcAttr(acct *account, parentDeath os.Signal) (*syscall.SysProcAttr, error) {
	attr := &syscall.SysProcAttr{}
	if acct != nil {
		attr.Credential = &syscall.Credential{Uid: acct.uid, Gid: acct.gid}
	}
	if sig, ok := parentDeath.(syscall.Signal); ok {
		attr.Pdeathsig = sig
	}
	return attr, nil
}
