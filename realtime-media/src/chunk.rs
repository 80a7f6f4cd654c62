//! Cutting a stream of samples into frames of one duration.

/// Collects samples and hands them out in chunks of exactly `size`.
#[derive(Debug)]
pub struct Chunker {
    size: usize,
    buffer: Vec<i16>,
}

impl Chunker {
    /// Chunks of `size` samples (at least 1).
    pub fn new(size: usize) -> Self {
        let size = size.max(1);
        Chunker {
            size,
            buffer: Vec::with_capacity(size * 2),
        }
    }

    /// Samples per chunk.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Adds samples.
    pub fn push(&mut self, samples: &[i16]) {
        self.buffer.extend_from_slice(samples);
    }

    /// The next whole chunk, if there is one.
    pub fn next_chunk(&mut self) -> Option<Vec<i16>> {
        (self.buffer.len() >= self.size).then(|| {
            let rest = self.buffer.split_off(self.size);
            std::mem::replace(&mut self.buffer, rest)
        })
    }

    /// What is left (less than a chunk), taken out.
    pub fn take_rest(&mut self) -> Vec<i16> {
        std::mem::take(&mut self.buffer)
    }

    /// Samples waiting for a whole chunk.
    pub fn len(&self) -> usize {
        self.buffer.len()
    }

    /// Whether no sample is waiting.
    pub fn is_empty(&self) -> bool {
        self.buffer.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_of_any_length_come_out_as_whole_chunks_in_order() {
        let mut chunker = Chunker::new(4);
        chunker.push(&[1, 2, 3]);
        assert_eq!(chunker.next_chunk(), None);
        chunker.push(&[4, 5, 6, 7, 8, 9]);
        assert_eq!(chunker.next_chunk(), Some(vec![1, 2, 3, 4]));
        assert_eq!(chunker.next_chunk(), Some(vec![5, 6, 7, 8]));
        assert_eq!(chunker.next_chunk(), None);
        assert_eq!(chunker.take_rest(), [9]);
        assert!(chunker.is_empty());
    }
}
