//! Per-thread caches of pieces of signals that several voices of a step compute alike, and
//! the per-thread scratch buffers of the renderers.
//!
//! Voices of one step often share a modulator: the same vibrato (F12: eight voices, one
//! vibrato per ear) or the same AM envelope (F12: two pairs of voices). They render the same
//! frames one after the other, so the first computes the piece and the others reuse it. A
//! piece is a function of its key alone (the modulator's parameters, its first frame and its
//! length), so a hit gives exactly the bits a computation would: the caches only save time.
//! They have a fixed size and are filled in place, so nothing is allocated (the audio thread
//! uses them too).

use std::cell::RefCell;

use crate::voices::{Buf, Scratch, ZERO_BUF};

/// Frames per piece: callers work in pieces of at most this size. It is a voice's whole call
/// ([`crate::voices::CHUNK`]): with smaller pieces one call would fill several slots and evict
/// the pieces the step's other voices are about to reuse.
pub const PIECE: usize = crate::voices::CHUNK;
/// Pieces kept per cache (the least recently computed is replaced).
pub const SLOTS: usize = 4;

/// What a piece depends on: the modulator (its parameters as bits) and the frames.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Key {
    pub what: [u64; 7],
    pub n0: u64,
    pub len: usize,
}

/// Each channel is a padded scratch buffer ([`Buf`]), so that channels and slots do not start
/// a multiple of 8 KiB apart (the same L1 cache sets) when real-time calls use short pieces.
struct Piece {
    key: Option<Key>,
    a: Buf,
    b: Buf,
}

/// The last few pieces computed on this thread, each of one or two channels (`a`, `b`).
pub struct PieceCache {
    slots: [Piece; SLOTS],
    next: usize,
}

impl PieceCache {
    const EMPTY: PieceCache = PieceCache {
        slots: [const {
            Piece {
                key: None,
                a: ZERO_BUF,
                b: ZERO_BUF,
            }
        }; SLOTS],
        next: 0,
    };

    /// The piece for `key` (`key.len` ≤ [`PIECE`] values per channel), computed by
    /// `fill(a, b)` unless present.
    pub fn get(&mut self, key: Key, fill: impl FnOnce(&mut [f64], &mut [f64])) -> (&[f64], &[f64]) {
        let len = key.len;
        let i = match self.slots.iter().position(|s| s.key == Some(key)) {
            Some(i) => i,
            None => {
                let i = self.next;
                self.next = (i + 1) % SLOTS;
                let slot = &mut self.slots[i];
                slot.key = None;
                fill(&mut slot.a[..len], &mut slot.b[..len]);
                slot.key = Some(key);
                i
            }
        };
        let slot = &self.slots[i];
        (&slot.a[..len], &slot.b[..len])
    }
}

thread_local! {
    /// Vibrato phasors V = e^{2πi·v(n)} (re, im), see `osc::Carrier::fill_sin`.
    pub static VIBRATO: RefCell<PieceCache> = const { RefCell::new(PieceCache::EMPTY) };
    /// AM envelopes (one channel), see `voices::common::DipAm::envelope`.
    pub static ENVELOPE: RefCell<PieceCache> = const { RefCell::new(PieceCache::EMPTY) };
    /// The scratch buffers of the renderers on this thread (see [`with_scratch`]).
    static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch::EMPTY) };
}

/// Runs `f` with this thread's scratch buffers. They hold nothing between calls, so one set
/// serves every renderer on the thread: the streams one real-time thread serves in turn share
/// it, and their working sets stay small. Not reentrant (a renderer never runs another).
pub fn with_scratch<R>(f: impl FnOnce(&mut [Buf]) -> R) -> R {
    SCRATCH.with(|s| f(&mut s.borrow_mut().0))
}

/// Sets up this thread's caches: the C library may allocate a thread's storage for a
/// dynamically loaded library on its first use, so a real-time thread calls this before its
/// first deadline, and its callbacks never allocate.
pub fn touch_thread_caches() {
    for cache in [&VIBRATO, &ENVELOPE] {
        cache.with(|c| {
            std::hint::black_box(c.borrow().next);
        });
    }
    SCRATCH.with(|s| {
        std::hint::black_box(s.borrow().0[0][0]);
    });
}
