package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/gmc-project/gmc/internal/tracing"
)

// queryTracer makes a span of each statement run within a traced request
// or job. Outside one (River's polling, tracing off) it does nothing, so
// it is always installed.
type queryTracer struct{}

var _ pgx.QueryTracer = queryTracer{}

// maxTracedSQL bounds the statement text kept in a span. The text holds
// placeholders only: arguments, which may be secrets, are never recorded.
const maxTracedSQL = 2000

func (queryTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return ctx
	}
	sql := strings.TrimSpace(data.SQL)
	op, _, _ := strings.Cut(sql, " ")
	op = strings.ToUpper(op)
	if len(sql) > maxTracedSQL {
		sql = sql[:maxTracedSQL]
	}
	ctx, _ = tracing.Start(ctx, "postgres "+op,
		attribute.String("db.system.name", "postgresql"),
		attribute.String("db.operation.name", op),
		attribute.String("db.query.text", sql))
	return ctx
}

func (queryTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	span.SetAttributes(attribute.Int64("db.response.rows", data.CommandTag.RowsAffected()))
	tracing.End(span, data.Err)
}
