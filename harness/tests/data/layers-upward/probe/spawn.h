/* A higher header. */
int spawn(void);
