//! kubectl's column layout: the elastic-tabstop algorithm of github.com/liggitt/tabwriter (a fork of Go's
//! text/tabwriter that adds `RememberWidths`), with the two configurations kubectl uses — `kubectl get`
//! tables and `kubectl describe` blocks.
//!
//! Text is written in tab-terminated cells; a line's last cell (the text after its last tab) is never
//! padded. A *column* is a block of consecutive lines that all have a tab-terminated cell at that
//! index; a line with fewer cells ends the block, so columns further right restart their widths below
//! it. A line without any tab flushes everything buffered, which is why describe's headings split
//! its output into independently aligned blocks. Widths count Unicode scalar values (Go's
//! `utf8.RuneCount`), so a CJK character counts as one, like an ASCII one.

/// Go's `tabwriter` flags that kubectl's configurations need.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// Right-align cell contents (`AlignRight`).
    pub align_right: bool,
    /// Columns whose cells are all empty and soft (`\v`-terminated) get no width (`DiscardEmptyColumns`).
    pub discard_empty_columns: bool,
    /// Column widths never shrink across flushes: kubectl's watch output keeps its columns stable
    /// (`RememberWidths`).
    pub remember_widths: bool,
}

#[derive(Debug, Clone, Default)]
struct Cell {
    text: String,
    /// Width in runes.
    width: usize,
    /// Terminated by a tab (not a `\v`): matters only for discarding empty columns.
    htab: bool,
}

/// A tabwriter: write text with [`TabWriter::write`], collect the laid-out text with
/// [`TabWriter::flush`].
#[derive(Debug, Clone)]
pub struct TabWriter {
    minwidth: usize,
    tabwidth: usize,
    padding: usize,
    padchar: char,
    flags: Flags,
    lines: Vec<Vec<Cell>>,
    cell: Cell,
    widths: Vec<usize>,
    maxwidths: Vec<usize>,
    out: String,
}

impl TabWriter {
    /// Go's `tabwriter.NewWriter(output, minwidth, tabwidth, padding, padchar, flags)`.
    pub fn new(minwidth: usize, tabwidth: usize, padding: usize, padchar: char, flags: Flags) -> Self {
        let mut flags = flags;
        if padchar == '\t' {
            // Tab padding cannot align right: Go clears the flag too.
            flags.align_right = false;
        }
        TabWriter {
            minwidth,
            tabwidth,
            padding,
            padchar,
            flags,
            lines: vec![Vec::new()],
            cell: Cell::default(),
            widths: Vec::new(),
            maxwidths: Vec::new(),
            out: String::new(),
        }
    }

    /// The writer `kubectl get` prints tables with (cli-runtime `printers.GetNewTabWriter`): minwidth 6,
    /// tabwidth 4, padding 3, padchar ' ', `RememberWidths`.
    pub fn for_get() -> Self {
        let flags = Flags { remember_widths: true, ..Flags::default() };
        TabWriter::new(6, 4, 3, ' ', flags)
    }

    /// The writer `kubectl describe` uses: minwidth 0, tabwidth 8, padding 2, padchar ' ', no flags.
    pub fn for_describe() -> Self {
        TabWriter::new(0, 8, 2, ' ', Flags::default())
    }

    /// Buffers `text`. `\t` and `\v` end a cell, `\n` and `\f` end a line; a line holding a single
    /// cell (no tab) or a `\f` flushes the buffered block into the output.
    pub fn write(&mut self, text: &str) {
        for ch in text.chars() {
            match ch {
                '\t' | '\u{0B}' | '\n' | '\u{0C}' => {
                    let ncells = self.terminate_cell(ch == '\t');
                    if ch == '\n' || ch == '\u{0C}' {
                        self.lines.push(Vec::new());
                        if ch == '\u{0C}' || ncells == 1 {
                            self.flush_buffered();
                        }
                    }
                }
                _ => {
                    self.cell.text.push(ch);
                    self.cell.width += 1;
                }
            }
        }
    }

    /// Lays out whatever is still buffered and returns all output produced since the last call.
    pub fn flush(&mut self) -> String {
        self.flush_buffered();
        std::mem::take(&mut self.out)
    }

    /// The column widths remembered so far (`RememberedWidths`).
    pub fn remembered_widths(&self) -> Vec<usize> {
        self.maxwidths.clone()
    }

    /// Restores remembered widths (`SetRememberedWidths`); kubectl passes an empty list when the
    /// resource kind changes so a new table starts from scratch.
    pub fn set_remembered_widths(&mut self, widths: &[usize]) {
        self.maxwidths = widths.to_vec();
    }

    fn terminate_cell(&mut self, htab: bool) -> usize {
        let mut cell = std::mem::take(&mut self.cell);
        cell.htab = htab;
        if self.lines.is_empty() {
            self.lines.push(Vec::new());
        }
        match self.lines.last_mut() {
            Some(line) => {
                line.push(cell);
                line.len()
            }
            None => 0,
        }
    }

    fn flush_buffered(&mut self) {
        if !self.cell.text.is_empty() {
            self.terminate_cell(false);
        }
        let lines = std::mem::take(&mut self.lines);
        self.format(&lines, 0, lines.len());
        // Go writes the unterminated trailing cell after the last line; it is empty here because it was
        // just terminated.
        self.lines = vec![Vec::new()];
        self.cell = Cell::default();
        self.widths.clear();
    }

    /// Go's recursive `format`: finds blocks of lines sharing the next column, fixes that column's width
    /// for the block, and recurses for the columns to its right.
    fn format(&mut self, lines: &[Vec<Cell>], line0: usize, line1: usize) {
        let column = self.widths.len();
        let mut line0 = line0;
        let mut this = line0;
        while this < line1 {
            if !has_column(lines, this, column) {
                this += 1;
                continue;
            }
            // A new block of lines with a cell in `column` starts here.
            self.write_lines(lines, line0, this);
            line0 = this;

            let mut width = self.minwidth;
            let mut discardable = true;
            while this < line1 && has_column(lines, this, column) {
                if let Some(c) = lines.get(this).and_then(|l| l.get(column)) {
                    width = width.max(c.width + self.padding);
                    if c.width > 0 || c.htab {
                        discardable = false;
                    }
                }
                this += 1;
            }
            if discardable && self.flags.discard_empty_columns {
                width = 0;
            }
            if self.flags.remember_widths {
                if self.maxwidths.len() < self.widths.len() {
                    let missing = self.widths.get(self.maxwidths.len()..).unwrap_or(&[]).to_vec();
                    self.maxwidths.extend(missing);
                }
                match self.maxwidths.get_mut(column) {
                    None => self.maxwidths.push(width),
                    Some(remembered) if *remembered > width => width = *remembered,
                    Some(remembered) => *remembered = width,
                }
            }
            self.widths.push(width);
            self.format(lines, line0, this);
            self.widths.pop();
            line0 = this;
        }
        self.write_lines(lines, line0, line1);
    }

    fn write_lines(&mut self, lines: &[Vec<Cell>], line0: usize, line1: usize) {
        for i in line0..line1 {
            let Some(line) = lines.get(i) else { continue };
            for (j, c) in line.iter().enumerate() {
                let colwidth = self.widths.get(j).copied();
                if c.text.is_empty() {
                    if let Some(w) = colwidth {
                        self.write_padding(c.width, w);
                    }
                } else if self.flags.align_right {
                    if let Some(w) = colwidth {
                        self.write_padding(c.width, w);
                    }
                    self.out.push_str(&c.text);
                } else {
                    self.out.push_str(&c.text);
                    if let Some(w) = colwidth {
                        self.write_padding(c.width, w);
                    }
                }
            }
            if i + 1 < lines.len() {
                self.out.push('\n');
            }
        }
    }

    fn write_padding(&mut self, textw: usize, cellw: usize) {
        if self.padchar == '\t' {
            if self.tabwidth == 0 {
                return;
            }
            let cellw = cellw.div_ceil(self.tabwidth) * self.tabwidth;
            let n = cellw.saturating_sub(textw);
            for _ in 0..n.div_ceil(self.tabwidth) {
                self.out.push('\t');
            }
            return;
        }
        for _ in textw..cellw {
            self.out.push(self.padchar);
        }
    }
}

/// Whether line `i` has a tab-terminated cell at `column` (its last cell never counts).
fn has_column(lines: &[Vec<Cell>], i: usize, column: usize) -> bool {
    lines.get(i).is_some_and(|l| column + 1 < l.len())
}

/// Lays out tab-separated rows with a fresh `kubectl get` writer; each row becomes one line.
pub fn format_rows<S: AsRef<str>>(rows: &[Vec<S>]) -> String {
    let mut w = TabWriter::for_get();
    for row in rows {
        let cells: Vec<&str> = row.iter().map(AsRef::as_ref).collect();
        w.write(&cells.join("\t"));
        w.write("\n");
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(mut w: TabWriter, input: &str) -> String {
        w.write(input);
        w.flush()
    }

    /// Exact bytes of `kubectl config get-contexts` (v1.36.3) for a kubeconfig with a Latin-1, an ASCII
    /// and a CJK context name: widths count runes, empty cells are padded, the last cell is not.
    #[test]
    fn kubectl_get_contexts_golden() {
        let mut w = TabWriter::for_get();
        w.write("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n");
        w.write("\tcafé-ñ\tc1\t\t\n");
        w.write("\tx\ta-very-long-cluster-name-here\tu\t\n");
        w.write("*\t中文上下文\tc1\tu\t命名空间\n");
        let want = "CURRENT   NAME     CLUSTER                         AUTHINFO   NAMESPACE\n          café-ñ   c1                                         \n          x        a-very-long-cluster-name-here   u          \n*         中文上下文    c1                              u          命名空间\n";
        assert_eq!(w.flush(), want);
    }

    #[test]
    fn get_table_worked_example() {
        let rows = vec![
            vec!["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            vec!["nginx-7854ff8877-4xkzq", "1/1", "Running", "0", "5m"],
        ];
        let want = "NAME                     READY   STATUS    RESTARTS   AGE\nnginx-7854ff8877-4xkzq   1/1     Running   0          5m\n";
        assert_eq!(format_rows(&rows), want);
    }

    /// Upstream's test vectors (liggitt/tabwriter `tabwriter_test.go`, cases 12a, 12b, 13a, 13b, 15c,
    /// 15d, 16a): column blocks end at lines with fewer cells, an empty line splits the table.
    #[test]
    fn upstream_vectors() {
        let cases: &[(usize, usize, usize, char, Flags, &str, &str)] = &[
            (
                8,
                0,
                1,
                ' ',
                Flags { align_right: true, ..Flags::default() },
                "a\tè\tc\t\naa\tèèè\tcccc\tddddd\t\naaa\tèèèè\t\n",
                "       a       è       c\n      aa     èèè    cccc   ddddd\n     aaa    èèèè\n",
            ),
            (2, 0, 0, ' ', Flags::default(), "a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n", "a  b  c\naa bbbcccc\naaabbbb\n"),
            (
                4,
                0,
                1,
                '-',
                Flags::default(),
                "4444\t日本語\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n",
                "4444------日本語-22--1---333\n999999999-22\n7---------22\n------------------88888888\n\n666666-666666-666666----4444\n1------1------999999999-0000000000\n",
            ),
            (
                4,
                0,
                3,
                '.',
                Flags::default(),
                "4444\t333\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n",
                "4444........333...22...1...333\n999999999...22\n7...........22\n....................88888888\n\n666666...666666...666666......4444\n1........1........999999999...0000000000\n",
            ),
            (4, 0, 0, '.', Flags { discard_empty_columns: true, ..Flags::default() }, "a\u{0B}\u{0B}b", "a...b"),
            (
                4,
                0,
                0,
                '.',
                Flags { align_right: true, discard_empty_columns: true, ..Flags::default() },
                "a\u{0B}\u{0B}b",
                "...ab",
            ),
            (
                100,
                100,
                0,
                '\t',
                Flags::default(),
                "a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n",
                "a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n",
            ),
        ];
        for (i, (min, tab, pad, ch, flags, input, want)) in cases.iter().enumerate() {
            let got = run(TabWriter::new(*min, *tab, *pad, *ch, *flags), input);
            assert_eq!(&got, want, "case {i}");
        }
    }

    /// Upstream `TestMultiWrite`: widths persist across flushes and writers with `RememberWidths`.
    #[test]
    fn remembered_widths_across_flushes() {
        let mut w = TabWriter::for_get();
        w.write("First\tMiddle\tLast\na\tbb\tccc\nddd\teeeeeeeeeeeeee\tf\n");
        let mut out = w.flush();
        for chunk in ["g\th\ti\n", "j\t\t\n", "\tk\t\n", "\t\tl\n", "mmmmmmmmmmmmmmm\tnnn\tooo\n"] {
            w.write(chunk);
            out.push_str(&w.flush());
        }
        let mut w2 = TabWriter::for_get();
        w2.set_remembered_widths(&w.remembered_widths());
        w2.write("p\tq\tr\n");
        out.push_str(&w2.flush());
        let want = "First   Middle           Last\na       bb               ccc\nddd     eeeeeeeeeeeeee   f\ng       h                i\nj                        \n        k                \n                         l\nmmmmmmmmmmmmmmm   nnn              ooo\np                 q                r\n";
        assert_eq!(out, want);
        assert_eq!(w2.remembered_widths(), vec![18, 17]);
        w2.set_remembered_widths(&[]);
        w2.write("sssss\tt\tu\n");
        assert_eq!(w2.flush(), "sssss   t     u\n");
        assert_eq!(w2.remembered_widths(), vec![8, 6]);
    }

    /// describe's writer: a line without tabs flushes, so the blocks on either side align separately.
    #[test]
    fn describe_blocks() {
        let input =
            "Name:\tweb\nNamespace:\tdefault\nContainers:\n  nginx:\n    Image:\tnginx:1.25\n    Port:\t80/TCP\n";
        let want =
            "Name:       web\nNamespace:  default\nContainers:\n  nginx:\n    Image:  nginx:1.25\n    Port:   80/TCP\n";
        assert_eq!(run(TabWriter::for_describe(), input), want);
    }

    #[test]
    fn never_panics() {
        let alphabet = ['a', '\t', '\n', '\u{0B}', '\u{0C}', '中', ' ', 'é'];
        let mut seed = 7u64;
        for _ in 0..500 {
            let mut s = String::new();
            for _ in 0..(seed % 40) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                s.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            for padchar in [' ', '\t'] {
                let flags = Flags {
                    align_right: seed.is_multiple_of(2),
                    discard_empty_columns: seed.is_multiple_of(3),
                    remember_widths: true,
                };
                let mut w =
                    TabWriter::new((seed % 5) as usize, (seed % 3) as usize, (seed % 4) as usize, padchar, flags);
                w.write(&s);
                let _ = w.flush();
            }
        }
    }
}
