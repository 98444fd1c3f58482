package httpapi

import (
	"embed"
	"net/http"
	"strings"
)

// The browsable API docs: Stoplight Elements 9.0.15 (Apache-2.0, see
// docs/LICENSE; the licences of what it bundles are in
// docs/web-components.min.js.LICENSE.txt), the same files huma's default
// page loads from a public CDN, embedded so that the page works on a LAN
// without internet. They are byte for byte the npm package's files
// (sha384 as pinned by huma v2.37.2).
//
//go:embed docs
var docsFiles embed.FS

const docsAssets = BasePath + "/docs/assets/"

// docsCSP lets the page load nothing from anywhere but this server. Elements
// sets inline styles, hence 'unsafe-inline' for styles only.
const docsCSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; " +
	"script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'"

const docsPage = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="referrer" content="no-referrer">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>GameMaster's Companion API</title>
    <link rel="stylesheet" href="` + docsAssets + `styles.min.css">
    <script src="` + docsAssets + `web-components.min.js"></script>
  </head>
  <body style="height: 100vh;">
    <elements-api
      apiDescriptionUrl="` + BasePath + `/openapi.json"
      router="hash"
      layout="sidebar"
      tryItCredentialsPolicy="same-origin"
    ></elements-api>
  </body>
</html>
`

// docsTypes are the assets' content types; anything else in docs/ (the
// licence texts) is plain text.
var docsTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
}

func docsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+BasePath+"/docs", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", docsCSP)
		_, _ = w.Write([]byte(docsPage))
	})
	mux.HandleFunc("GET "+docsAssets+"{file}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		b, err := docsFiles.ReadFile("docs/" + name)
		if err != nil {
			writeProblem(w, newProblem(http.StatusNotFound, "not_found", "no such file"))
			return
		}
		ct := "text/plain; charset=utf-8"
		if i := strings.LastIndexByte(name, '.'); i >= 0 && docsTypes[name[i:]] != "" {
			ct = docsTypes[name[i:]]
		}
		w.Header().Set("Content-Type", ct)
		// The files change only with the binary.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(b)
	})
}
