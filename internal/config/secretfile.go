package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// secretSettings are the variables that hold secrets (or URLs that may
// carry a password). Each can instead name a file with NAME_FILE, the way
// container secrets are mounted, so that the value is in no environment
// a process listing or a crash report shows.
var secretSettings = []string{
	"GMC_SECRET_KEY",
	"GMC_PREVIOUS_SECRET_KEYS",
	"GMC_DATABASE_URL",
	"GMC_REDIS_URL",
	"GMC_LLM_API_KEY",
	"GMC_WHISPER_API_KEY",
	"GMC_DISCORD_BOT_TOKEN",
	"GMC_S3_ACCESS_KEY",
	"GMC_S3_SECRET_KEY",
}

// withSecretFiles returns getenv with each secret setting's NAME_FILE read
// in place of NAME. Setting both is an error, as is a file that cannot be
// read; the messages name the variables and the path, never the value.
func withSecretFiles(getenv func(string) string) (func(string) string, error) {
	fromFiles := map[string]string{}
	var errs []error
	for _, name := range secretSettings {
		path := getenv(name + "_FILE")
		if path == "" {
			continue
		}
		if getenv(name) != "" {
			errs = append(errs, fmt.Errorf("%s_FILE: %s is set too; set only one of them", name, name))
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s_FILE: %w", name, err))
			continue
		}
		// Editors and `echo` end files with a newline that is no part of
		// the secret.
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			errs = append(errs, fmt.Errorf("%s_FILE: %s is empty", name, path))
			continue
		}
		fromFiles[name] = v
	}
	if len(fromFiles) == 0 {
		return getenv, errors.Join(errs...)
	}
	return func(k string) string {
		if v, ok := fromFiles[k]; ok {
			return v
		}
		return getenv(k)
	}, errors.Join(errs...)
}
