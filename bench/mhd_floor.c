// The smallest registry-shaped process: libmicrohttpd with an epoll thread,
// answering every request with an empty 200. Its idle RSS is the floor any
// ferryd built on Debian's libmicrohttpd can reach.
#include <microhttpd.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static enum MHD_Result answer(void* cls, struct MHD_Connection* c, const char* url,
                              const char* method, const char* version, const char* data,
                              size_t* size, void** state) {
  (void)cls; (void)url; (void)method; (void)version; (void)data; (void)size; (void)state;
  struct MHD_Response* r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
  enum MHD_Result ok = MHD_queue_response(c, 200, r);
  MHD_destroy_response(r);
  return ok;
}

int main(int argc, char** argv) {
  int port = argc > 1 ? atoi(argv[1]) : 5099;
  struct MHD_Daemon* d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD, (uint16_t)port, NULL,
                                          NULL, answer, NULL, MHD_OPTION_END);
  if (!d) return 1;
  pause();
  MHD_stop_daemon(d);
  return 0;
}
