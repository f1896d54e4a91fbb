module eccounter

go 1.24

require github.com/pelletier/go-toml/v2 v2.4.3

require pgregory.net/rapid v1.3.0
