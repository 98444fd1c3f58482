// Package llm asks an OpenAI-compatible chat server (vLLM, Ollama,
// llama.cpp's server) for structured answers: Complete[T] sends a prompt
// with T's JSON schema as response_format, checks the answer against that
// schema, asks once for a corrected answer when it does not match, and
// returns a valid T or an error, never an invalid value. It limits
// concurrent requests, retries 429s, 5xx and broken connections with
// backoff (honouring Retry-After) under a per-request and an overall
// timeout, streams long answers with progress, counts tokens per
// campaign, renders the prompts in prompts/, and picks campaign context
// within a token budget (SelectContext).
//
// The client is written on net/http rather than the official
// github.com/openai/openai-go/v3 (v3.102.0 was tried), for these reasons:
//
//   - openai.NewClient reads OPENAI_API_KEY, OPENAI_ADMIN_KEY,
//     OPENAI_ORG_ID, OPENAI_PROJECT_ID and OPENAI_CUSTOM_HEADERS from the
//     process environment and sends them with every request; the switch
//     that turns this off is in an internal package. Ambient credentials
//     meant for another service would go to the self-hosted server, and
//     OPENAI_CUSTOM_HEADERS cannot even be listed to strip them.
//   - Its SSE stream hides the data: [DONE] line: a response that ends
//     cleanly before it (a server that gives up mid-answer and closes the
//     body, or a proxy that ends it) finishes with Err() == nil exactly
//     like a complete one; only a broken connection is reported. Here a
//     stream without [DONE] or a finish_reason is an error and is retried.
//   - Its retry loop is per call with its own cap on Retry-After; ours
//     must share one deadline with the repair attempt and release the
//     concurrency slot while it waits, so its retries would be turned off
//     anyway.
//   - We use one endpoint and a few fields of it, against a package of
//     over 300 files; the decoder here reads only what it uses, so servers that
//     leave out id, object, created or usage (llama.cpp builds do) or send
//     content: null (reasoning models) work without special cases.
//
// Its other strengths did not decide it: the raw answer is reachable in
// both (the JSON is a string in message.content), and both let the
// caller refuse redirects through the http.Client.
//
// The configured base URL is the only host called: redirects to another
// host are refused (ErrForeignHost) and proxy settings from the
// environment are ignored. The API key is sent only as a bearer token
// and never appears in errors or in Config.String.
package llm
