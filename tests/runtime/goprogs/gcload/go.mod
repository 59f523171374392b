module gcload

go 1.26
