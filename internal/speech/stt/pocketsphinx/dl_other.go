//go:build !((darwin || freebsd || linux || netbsd) && !android)

package pocketsphinx

import "errors"

var errNoDlopen = errors.New("loading PocketSphinx is not supported on this operating system")

func dlopenFirst([]string) (uintptr, error) { return 0, errNoDlopen }

func dlsym(uintptr, string) (uintptr, error) { return 0, errNoDlopen }
