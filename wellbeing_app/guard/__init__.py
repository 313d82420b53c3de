"""Protected mode's root side: the guard that keeps a child's limits outside the child's account."""

#: The `service` command's help (the command line shows it without building the actions).
SERVICE_HELP = "protected mode, as root: run or install the guard, protect or release an account"
