/*
 * The pod sandbox's process (containerd's sandbox_image): holds the pod's namespaces and does
 * nothing else. Built with `gcc -static` so the image is this one file; no registry is reachable
 * to pull the upstream one. Exits on SIGINT/SIGTERM; reaps orphans when it is the pod's PID 1.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void leave(int sig) { _exit(128 + sig); }

static void reap(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction stop = {.sa_handler = leave};
  struct sigaction child = {.sa_handler = reap, .sa_flags = SA_NOCLDSTOP};
  sigaction(SIGINT, &stop, NULL);
  sigaction(SIGTERM, &stop, NULL);
  sigaction(SIGCHLD, &child, NULL);
  for (;;) pause();
  return 0;
}
