#ifndef CTHREADPOOL_H
#define CTHREADPOOL_H

/// One chunk of a parallel loop: `context` is the caller's, `chunk` is in 0..<chunks.
typedef void (*threadpool_body)(void *context, long chunk);

/// Runs `body(context, chunk)` for every chunk in 0..<chunks and returns when all have run.
///
/// The calling thread takes chunks too, beside the pool's workers (one fewer than the online
/// cores). Workers that finish a loop spin briefly for the next one before they sleep, so a
/// convnet's or an LSTM's hundreds of short parallel loops per call do not each pay for waking
/// a thread. Chunks run inline, in order, on the calling thread when there is one chunk, no
/// worker, when the caller is itself inside a chunk (nested loops), or when another thread's
/// loop holds the pool (concurrent requests already keep the cores busy), and in a child of
/// fork(), which has none of the workers.
void threadpool_run(long chunks, threadpool_body body, void *context);

/// The number of threads that can run chunks at once: the workers plus the caller.
long threadpool_width(void);

#endif
