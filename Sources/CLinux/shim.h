#ifndef TDF_CLINUX_SHIM_H
#define TDF_CLINUX_SHIM_H
// Linux-only libc headers that Swift's Glibc module does not export.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <pthread.h>
#include <sys/socket.h>
#include <malloc.h>

/// accept4 is declared only under _GNU_SOURCE, which the Glibc module was not built with.
extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);

static inline int tdf_accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags) {
    return accept4(sockfd, addr, addrlen, flags);
}
/// pthread_setname_np is declared only under _GNU_SOURCE too; names longer than 15 bytes are refused (ERANGE).
extern int pthread_setname_np(pthread_t thread, const char *name);

static inline int tdf_name_current_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
#endif
