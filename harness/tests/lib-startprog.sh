# Sourced by the tests of a program whose startup library has initial-exec
# TLS (doctor and headroom under LD_AUDIT): startup_sources SIZE writes, in
# the current directory, big.c (a library with SIZE bytes of initial-exec
# TLS) and prog.c (a program that touches it and prints "ok 0");
# startup_prog CC SIZE builds them there: libbig.so, and prog, which finds
# it through $ORIGIN.
startup_sources() {
    printf '__thread char big[%s] __attribute__((tls_model("initial-exec")));\nint touch(void){ big[1]=1; return big[0]; }\n' "$1" > big.c
    printf '#include <stdio.h>\nint touch(void);\nint main(void){ printf("ok %%d\\n", touch()); return 0; }\n' > prog.c
}
startup_prog() {
    startup_sources "$2"
    "$1" -shared -fPIC -o libbig.so big.c
    # shellcheck disable=SC2016 # $ORIGIN is the loader's
    "$1" -o prog prog.c -L. -lbig -Wl,-rpath,'$ORIGIN'
}
