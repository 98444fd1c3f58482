package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// routeClass is the request-limit class of an operation (see
// service.RouteClasses): public operations are "auth", counted per client
// address; the rest per account, by what they cost.
func routeClass(op huma.Operation) string {
	tag := ""
	if len(op.Tags) > 0 {
		tag = op.Tags[0]
	}
	switch {
	case op.Security != nil && len(op.Security) == 0:
		return "auth"
	case tag == "generate" || op.OperationID == "request-summary":
		return "ai"
	case tag == "speech" || tag == "recordings" || strings.HasSuffix(op.Path, "/audio"):
		return "audio"
	case strings.Contains(op.OperationID, "search"):
		return "search"
	case op.Method == http.MethodGet || op.Method == http.MethodHead:
		return "read"
	}
	return "write"
}

// allowRequest applies the limit of class to the caller: uid when signed
// in, else the client address.
func (a *api) allowRequest(ctx context.Context, class, uid string) error {
	key := uid
	if class == "auth" {
		key = info(ctx).clientIP
	}
	return a.svc.AllowRequest(ctx, class, key)
}
