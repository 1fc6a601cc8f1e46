/* A lower header. */
int base_thing(void);
