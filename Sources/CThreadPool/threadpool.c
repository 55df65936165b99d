// A fixed pool of spinning workers for short parallel loops (see CThreadPool.h).
//
// Protocol. `state` packs the current loop's generation (high 40 bits) and the next unclaimed
// chunk (low 24 bits). A submitter writes the loop's body, context and chunk count into the slot
// of its generation's parity, then publishes the generation with the chunk index 0. Every
// participant claims chunks with a compare-and-swap on `state`, which succeeds only while the
// generation it read is still current; generations only grow, so a successful claim proves the
// slot it read before the claim was the right one (the next loop writes the other slot, and the
// one after that waits for this loop to finish). The submitter returns when `completed` reaches
// the chunk count; only one loop runs at a time (`submitting`).
#define _GNU_SOURCE
#include "CThreadPool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#define INDEX_BITS 24
#define INDEX_MASK ((1ull << INDEX_BITS) - 1)
#define MAX_WORKERS 256
// How long an idle worker spins for the next loop before it sleeps.
#define SPIN_NANOSECONDS 100000

struct loop {
  _Atomic(threadpool_body) body;
  _Atomic(void *) context;
  _Atomic long chunks;
};

static struct loop slots[2];
static _Atomic uint64_t state;
static _Atomic long completed;
static atomic_flag submitting = ATOMIC_FLAG_INIT;
static _Atomic int sleepers;
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static long worker_count;
static pthread_once_t started = PTHREAD_ONCE_INIT;
// Set on workers, and on a submitter while its loop runs: loops started from a chunk run inline.
static _Thread_local int inside_chunk;

static inline void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static uint64_t now_nanoseconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

// Claims and runs chunks of generation `generation` until none is left.
static void run_chunks(uint64_t generation) {
  uint64_t current = atomic_load(&state);
  for (;;) {
    if ((current >> INDEX_BITS) != generation) return;
    struct loop *slot = &slots[generation & 1];
    threadpool_body body = atomic_load_explicit(&slot->body, memory_order_relaxed);
    void *context = atomic_load_explicit(&slot->context, memory_order_relaxed);
    long chunks = atomic_load_explicit(&slot->chunks, memory_order_relaxed);
    uint64_t index = current & INDEX_MASK;
    if ((long)index >= chunks) return;
    if (!atomic_compare_exchange_weak(&state, &current, current + 1)) continue;
    body(context, (long)index);
    atomic_fetch_add(&completed, 1);
    current = atomic_load(&state);
  }
}

static void *worker_main(void *unused) {
  (void)unused;
  inside_chunk = 1;
  uint64_t seen = atomic_load(&state) >> INDEX_BITS;
  for (;;) {
    uint64_t generation = atomic_load(&state) >> INDEX_BITS;
    if (generation == seen) {
      uint64_t start = now_nanoseconds();
      unsigned spins = 0;
      while ((generation = atomic_load(&state) >> INDEX_BITS) == seen) {
        relax();
        if (++spins % 64 == 0 && now_nanoseconds() - start > SPIN_NANOSECONDS) break;
      }
      if (generation == seen) {
        pthread_mutex_lock(&sleep_lock);
        atomic_fetch_add(&sleepers, 1);
        while ((generation = atomic_load(&state) >> INDEX_BITS) == seen) pthread_cond_wait(&wake, &sleep_lock);
        atomic_fetch_sub(&sleepers, 1);
        pthread_mutex_unlock(&sleep_lock);
      }
    }
    seen = generation;
    run_chunks(generation);
  }
  return NULL;
}

// A child of fork() has none of the parent's worker threads: its loops run inline.
static void forget_workers(void) { worker_count = 0; }

static void start_workers(void) {
  pthread_atfork(NULL, NULL, forget_workers);
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  long wanted = online > 1 ? online - 1 : 0;
  if (wanted > MAX_WORKERS) wanted = MAX_WORKERS;
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  for (long i = 0; i < wanted; i++) {
    pthread_t thread;
    if (pthread_create(&thread, &attributes, worker_main, NULL) != 0) break;
    worker_count += 1;
  }
  pthread_attr_destroy(&attributes);
}

long threadpool_width(void) {
  pthread_once(&started, start_workers);
  return worker_count + 1;
}

void threadpool_run(long chunks, threadpool_body body, void *context) {
  if (chunks <= 0) return;
  pthread_once(&started, start_workers);
  if (chunks == 1 || worker_count == 0 || inside_chunk || (uint64_t)chunks > INDEX_MASK ||
      atomic_flag_test_and_set(&submitting)) {
    for (long chunk = 0; chunk < chunks; chunk++) body(context, chunk);
    return;
  }
  inside_chunk = 1;
  uint64_t generation = (atomic_load(&state) >> INDEX_BITS) + 1;
  struct loop *slot = &slots[generation & 1];
  atomic_store_explicit(&slot->body, body, memory_order_relaxed);
  atomic_store_explicit(&slot->context, context, memory_order_relaxed);
  atomic_store_explicit(&slot->chunks, chunks, memory_order_relaxed);
  atomic_store(&completed, 0);
  atomic_store(&state, generation << INDEX_BITS);
  if (atomic_load(&sleepers) > 0) {
    pthread_mutex_lock(&sleep_lock);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&sleep_lock);
  }
  run_chunks(generation);
  // The rest are running on workers; they are short, so spin, yielding if one was preempted.
  unsigned spins = 0;
  while (atomic_load(&completed) < chunks) {
    relax();
    if (++spins > 4096) sched_yield();
  }
  inside_chunk = 0;
  atomic_flag_clear(&submitting);
}
