module example.com/broken

go 1.19

require (
	github.com/ok/one v1.0.0
	github.com/missing/version
	github.com/ok/two v2.0.0+incompatible
)
