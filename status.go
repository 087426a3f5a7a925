package medic

// HTTPStatus is the one mapping from error codes to HTTP statuses, shared
// by every surface (JSON API, desk pages) so they cannot drift apart. The
// numbers are written out: the domain (and the app layer above it) must
// not depend on net/http.
func HTTPStatus(code string) int {
	switch code {
	case EINVALID:
		return 422 // Unprocessable Entity
	case ENOTFOUND:
		return 404
	case ECONFLICT:
		return 409
	case EFORBIDDEN:
		return 403
	case EUNAUTHORIZED:
		return 401
	case ETOOMANY:
		return 429
	case EUNAVAILABLE:
		return 503
	case ETOOLARGE:
		return 413
	}
	return 500
}

// PublicBodyLimit bounds what anyone on the internet may post to the
// public booking API and the public booking pages (the global limit is
// 1 MiB).
const PublicBodyLimit = 16 << 10
