module crasher

go 1.26
