module example.com/replacer

go 1.19

require (
	github.com/pkg/errors v0.9.1
	golang.org/x/text v0.3.7 // indirect
	"example.com/quoted" v1.0.0
	golang.org/x/crypto v0.1.0 // indirect; needed by x/net
)

require golang.org/x/net v0.7.0

replace golang.org/x/text v0.3.7 => golang.org/x/text v0.3.8

replace golang.org/x/text => golang.org/x/text v0.9.0

replace github.com/pkg/errors => github.com/myfork/errors v0.9.2-fixed

exclude golang.org/x/net v0.6.0

retract [v0.1.0, v0.1.5]
