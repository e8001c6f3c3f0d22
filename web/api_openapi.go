package web

import _ "embed"

// openAPIDocument describes the intake API v1 and its webhooks (OpenAPI 3.1),
// served at /api/v1/openapi.json. TestOpenAPIMatchesRoutes holds it to the
// routes, and the API tests check real answers against its schemas.
//
//go:embed openapi.json
var openAPIDocument []byte
