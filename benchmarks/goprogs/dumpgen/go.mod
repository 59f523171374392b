module dumpgen

go 1.26
