/* A library with a 900-byte initial-exec TLS block, as a plugin or a
   Python extension with `__thread` state compiled -ftls-model=initial-exec
   would have: dlopened late, it must fit into glibc's static TLS surplus. */
__thread char foo_state[900] __attribute__((tls_model("initial-exec")));

char *foo_state_of_this_thread(void)
{
    return foo_state;
}
