# Corpus generator for selftests/fuzz.sh (busybox awk, mawk, gawk).
#
# Input variables: seed (a positive integer), axes and presets (the
# module's debugfs files of those names, or copies), page (the page size),
# ctl and par (output files), every (optional: keep the first of each
# EVERY items of a class; the draws are the same, so the corpus is a
# subset of the whole one).
#
# ctl gets one malformed control command a line:
#   CLASS <TAB> ERRNO <TAB> REASON-GLOB <TAB> FIRST [<TAB> SECOND]
# FIRST is the bytes of one write() as a printf format: printable ASCII,
# every other byte as a three-digit octal escape (\000 for NUL), never '%'
# or a bare backslash.  SECOND, for the second_write class only, is a
# second write() on the same open file.
# par gets one malformed module parameter set a line:
#   CLASS <TAB> ARGUMENTS (shell words, for eval)
# Classes come out contiguous, in a fixed order; the draws are an LCG
# (Park-Miller), so one seed gives one corpus on every awk.

function rnd(n) {
	seed = (seed * 16807) % 2147483647
	return seed % n
}

function pick(list,   n, a) {
	n = split(list, a, " ")
	return a[1 + rnd(n)]
}

function member(list, v) {
	return index(" " list " ", " " v " ") > 0
}

function digits(n, set,   s, i) {
	s = ""
	for (i = 0; i < n; i++)
		s = s substr(set, 1 + rnd(length(set)), 1)
	return s
}

function upper1(s) {
	return toupper(substr(s, 1, 1)) substr(s, 2)
}

# A random lowercase word of 1..8 letters.
function word() {
	return digits(1 + rnd(8), "abcdefghijklmnopqrstuvwxyz")
}

# A valid "key=value" word for KEY, small enough to run fast had the
# command been accepted.
function goodword(k) {
	if (k == "size")
		return "size=" pick("4M 8M 0x400000 4m 4096K")
	if (k == "repeat")
		return "repeat=" (1 + rnd(3))
	# threads=1 only: a run over more threads that should have been
	# refused takes long on a small machine (and once hung in
	# sm_shadow_map_threads), which would stop the corpus
	if (k == "threads")
		return "threads=1"
	if (k == "region")
		return "region=" pick("vmalloc contig")
	if (k == "walker")
		return "walker=" pick(vals["walker"])
	return k "=" pick(vals[k])
}

# "run" with BAD among 0..3 valid words of other keys than those in SKIP,
# each key at most once, BAD at a random place.
function runcmd(bad, skip,   n, i, k, nw, pos, s, used) {
	split("", used)
	split("", w)
	nw = 0
	n = rnd(4)
	for (i = 0; i < n; i++) {
		k = pick(fillkeys)
		if (member(skip, k) || (k in used))
			continue
		used[k] = 1
		w[++nw] = goodword(k)
	}
	pos = 1 + rnd(nw + 1)
	s = "run"
	for (i = 1; i <= nw + 1; i++) {
		if (i == pos)
			s = s sep() bad
		if (i <= nw)
			s = s sep() w[i]
	}
	return s
}

function sep() {
	if (plain)
		return " "
	return rnd(12) ? " " : rnd(2) ? "  " : "\\011"
}

# Sometimes the newline echo would add.
function nl() {
	return rnd(3) ? "" : "\\012"
}

# thinned CLASS: whether every= leaves out this item of CLASS.
function thinned(class) {
	return every > 1 && drawn[class]++ % every != 0
}

function emit(class, errno, glob, cmd, second) {
	if (thinned(class))
		return
	# printf would take a leading '-' for an option
	if (substr(cmd, 1, 1) == "-")
		cmd = "\\055" substr(cmd, 2)
	if (substr(second, 1, 1) == "-")
		second = "\\055" substr(second, 2)
	printf "%s\t%s\t%s\t%s%s\n", class, errno, glob, cmd,
		second == "" ? "" : "\t" second > ctl
	nctl++
	count[class]++
}

function param(class, args) {
	if (thinned(class))
		return
	printf "%s\t%s\n", class, args > par
	npar++
}

# Insert TOK into the command S at a random byte offset (not inside one
# of S's escapes).
function insert(s, tok,   i, n, at) {
	n = 0
	for (i = 0; i <= length(s); i++) {
		at[n++] = i
		if (substr(s, i + 1, 1) == "\\")
			i += 3
	}
	i = at[rnd(n)]
	return substr(s, 1, i) tok substr(s, i + 1)
}

# "run" with the words A and B of one key K, apart or side by side.
function twice(a, b, k,   r) {
	r = rnd(3)
	if (r == 0)
		return "run " b substr(runcmd(a, k), 4)
	if (r == 1)
		return runcmd(a, k) sep() b
	return runcmd(a sep() b, k)
}

function octal(b) {
	return sprintf("\\%03o", b)
}

# A valid command in plain ASCII (no escapes), as a base for byte-level
# damage.
function validcmd(   r, c) {
	r = rnd(8)
	if (r < 4)
		return pick("verify free reset cancel")
	plain = 1
	c = runcmd(goodword(pick("size walker region")), "size walker region")
	plain = 0
	return c
}

# Valid module parameters, 0..2 of them, none of the keys in SKIP.
function pfill(skip,   n, i, k, s, used) {
	split("", used)
	s = ""
	n = rnd(3)
	for (i = 0; i < n; i++) {
		k = pick("region size walker repeat")
		if (member(skip, k) || (k in used))
			continue
		used[k] = 1
		s = s " " goodword(k)
	}
	return s
}

# A key that is none of the grammar's: KEY damaged or made up.
function badkey(k,   r, m) {
	do {
		r = rnd(9)
		if (r == 0) m = toupper(k)
		else if (r == 1) m = upper1(k)
		else if (r == 2) m = k substr("sxe_-1.", 1 + rnd(7), 1)
		else if (r == 3) m = substr("xs_-", 1 + rnd(4), 1) k
		else if (r == 4) m = substr(k, 1, length(k) - 1)
		else if (r == 5) m = substr(k, 2)
		else if (r == 6) m = pick("sz mem bytes len preset walkers axes axis level levels page pages count times thread nthreads cpu cpus barriers zeroing leafs regions run verify seq kept status")
		else if (r == 7) m = word()
		else m = ""
	} while (member(allkeys, m) && m != "")
	return m
}

# A value VAL of KEY's list damaged so that it is no longer in the list.
function badval(k,   v, r, m, o) {
	v = pick(vals[k])
	do {
		r = rnd(10)
		if (r == 0) m = toupper(v)
		else if (r == 1) m = upper1(v)
		else if (r == 2) m = v substr("x1.-_+s", 1 + rnd(7), 1)
		else if (r == 3) m = substr("x_-v", 1 + rnd(4), 1) v
		else if (r == 4) m = substr(v, 1, length(v) - 1)
		else if (r == 5) {
			o = pick("remap barrier zero leaf region walker")
			m = pick(vals[o])
		} else if (r == 6) m = word()
		else if (r == 7) m = pick("v5.0 v6 v6.2 v6.11 v7.0 v6.1.0 6.1 all default auto fast slow on off 1 0 yes")
		else if (r == 8) m = v "," pick(vals[k])
		else m = v v
	} while (member(vals[k], m) || m == "")
	return m
}

BEGIN {
	seed = seed + 0
	if (seed <= 0)
		seed = 1
	fillkeys = "region size walker repeat threads"
	allkeys = "region size index repeat walker threads"
	axiskeys = ""
	while ((getline line < axes) > 0) {
		n = split(line, f, " ")
		v = f[2]
		for (i = 3; i <= n; i++)
			v = v " " f[i]
		vals[f[1]] = v
		allkeys = allkeys " " f[1]
		if (f[1] != "region") {
			axiskeys = axiskeys (axiskeys == "" ? "" : " ") f[1]
			fillkeys = fillkeys " " f[1]
		}
	}
	v = ""
	while ((getline line < presets) > 0) {
		split(line, f, " ")
		v = v (v == "" ? "" : " ") f[1]
	}
	vals["walker"] = v
	if (axiskeys == "" || v == "" || vals["region"] == "") {
		print "fuzz-gen: no axes, regions or presets read" > "/dev/stderr"
		exit 1
	}
	page = page + 0
	run4m = "run region=vmalloc size=4M"

	# --- control commands ---
	# unknown commands, bare and with arguments
	for (i = 0; i < 80; i++) {
		r = rnd(6)
		if (r == 0) c = pick("RUN Run rUn VERIFY Verify FREE Free RESET Reset CANCEL Cancel")
		else if (r == 1) c = pick("runn xrun ru r verif verifyy fre freee resett rest cancl cancell")
		else if (r == 2) c = pick("help status show start stop kill exit quit load unload dump ptdump history last clear map remap walk axes presets")
		else if (r == 3) c = pick("- ? . ! # 0 1 y run; run, run: verify; free&& ./run -run --run size=4M region=vmalloc walker=" pick(vals["walker"]))
		else if (r == 4) {
			do c = word(); while (member("run verify free reset cancel calibrate", c))
		} else c = pick("x \\011 \\012") == "x" ? " " : "\\012"
		if (i < 40) {
			emit("unknown_command", -22, "*unknown command*", c nl())
			continue
		}
		if (c == " " || c == "\\012")
			c = "x" word()
		c = c sep() goodword(pick(fillkeys))
		emit("unknown_command_args", -22, "*unknown command*", c nl())
	}
	# unknown keys
	for (i = 0; i < 70; i++) {
		k = pick(allkeys)
		v = k == "index" ? "1" : substr(goodword(k), length(k) + 2)
		if (rnd(4) == 0) v = word()
		emit("unknown_key", -22, "*unknown key*", runcmd(badkey(k) "=" v, "") nl())
	}
	# unknown values of every axis, region and walker
	for (i = 0; i < 120; i++) {
		k = pick(axiskeys " region walker")
		emit("unknown_value", -22, "*unknown*", runcmd(k "=" badval(k), k) nl())
	}
	# no '='
	for (i = 0; i < 50; i++) {
		k = pick(fillkeys)
		g = goodword(k)
		r = rnd(5)
		if (r == 0) b = k
		else if (r == 1) b = substr(g, length(k) + 2)
		else if (r == 2) b = k substr(g, length(k) + 2)
		else if (r == 3) b = k pick(": - _ . ,") substr(g, length(k) + 2)
		else b = word()
		emit("missing_eq", -22, "*key=value*", runcmd(b, k) nl())
	}
	# empty values
	for (i = 0; i < 50; i++) {
		k = pick(allkeys " foo =")
		b = k == "=" ? "=" : k "="
		emit("empty_value", -22, "*key=value*", runcmd(b, k) nl())
	}
	# sizes that overflow 64 bits, some of them onto a valid small size
	split("16E 16e 17E 17e 32E 99E 1023E 16384P 16777216T 17179869184G 17179869188G 17592186044420M 18014398509481985K " \
	      "18446744073709551616 18446744073709555712 18446744073713745920 0x10000000000000000 0x10000000000400000 " \
	      "0X10000000000400000 02000000000000000000000 02000000000000020000000 0x1000000000000000K 0xfffffffffffff000000", fixed, " ")
	for (i = 1; i in fixed; i++)
		emit("size_overflow", -22, "*size*", runcmd("size=" fixed[i], "size") nl())
	for (; i <= 90; i++) {
		r = rnd(6)
		if (r == 0) s = (16 + rnd(100000)) substr("Ee", 1 + rnd(2), 1)
		else if (r == 1) s = (16384 + rnd(10000000)) substr("Pp", 1 + rnd(2), 1)
		else if (r == 2) s = (16777216 + rnd(1000000000)) substr("Tt", 1 + rnd(2), 1)
		else if (r == 3) s = digits(1, "23456789") digits(19 + rnd(8), "0123456789")
		else if (r == 4) s = "0x1" digits(1, "89abcdef") digits(15, "0123456789abcdef") digits(rnd(4), "0123456789abcdef")
		else s = "02" digits(21 + rnd(4), "01234567")
		emit("size_overflow", -22, "*size*", runcmd("size=" s, "size") nl())
	}
	# sizes that are not a multiple of the page size
	for (i = 0; i < 60; i++) {
		r = rnd(5)
		n = rnd(2048) * page + 1 + rnd(page - 1)
		if (r == 0) s = n
		else if (r == 1) s = sprintf("0x%x", n)
		else if (r == 2) s = sprintf("0%o", n)
		else if (r == 3) {
			do n = 1 + rnd(4096); while ((n * 1024) % page == 0)
			s = n substr("Kk", 1 + rnd(2), 1)
		} else s = pick("1 511 512 4095 4097 12345 1000 100000 0x1001 07777")
		emit("size_unaligned", -22, "*size*", runcmd("size=" s, "size") nl())
	}
	# size zero
	for (i = 0; i < 30; i++)
		emit("size_zero", -22, "*size*", runcmd("size=" pick("0 00 000 0x0 0X0 0x000 0K 0k 0M 0G 0T 0P 0E 0e"), "size") nl())
	# sizes that are no number
	n = split("4MB 4MiB 4mb -4M 4.5M M K k x 0xg 4M4 4MM four 1e6 0b100 4,096 4_096 +4M +4096 4Z 4Y 4k4 0x 0x4M0 4G8 --4M 4M- size", fixed, " ")
	for (i = 0; i < 40; i++) {
		# each once, then at random
		s = i < n ? fixed[i + 1] : fixed[1 + rnd(n)]
		emit("size_garbage", -22, "*size*", runcmd("size=" s, "size") nl())
	}
	# vmalloc of more than the machine's RAM (no overflow)
	for (i = 0; i < 20; i++)
		emit("size_over_ram", -22, "*RAM*", "run " (rnd(2) ? "region=vmalloc " : "") "size=" pick("64G 256G 1024G 1T 4T 4P 8E 0x100000000000 0x7ffffffffffff000") nl())
	# repeat out of range
	for (i = 0; i < 50; i++) {
		r = rnd(3)
		if (r == 0) s = 20001 + rnd(1000000)
		else if (r == 1) s = pick("0 00 0x0 20001 20002 65535 100000 4294967295 4294967296 99999999999 0x4e21 047041")
		else s = pick("-1 abc 1.5 1e3 10k two 1,2 x1 0x 08 1+")
		emit("repeat_range", -22, "*repeat*", runcmd("repeat=" s, "repeat") nl())
	}
	# threads out of range
	for (i = 0; i < 50; i++) {
		r = rnd(3)
		if (r == 0) s = 17 + rnd(100000)
		else if (r == 1) s = pick("0 00 0x0 17 18 32 64 0x11 021 256 4294967295 4294967296 99999999999")
		else s = pick("-1 abc 1.5 2e1 all max four 1,2 x1 0x 09 2+")
		emit("threads_range", -22, "*threads*", runcmd("threads=" s, "threads") nl())
	}
	# index garbage
	for (i = 0; i < 40; i++) {
		r = rnd(3)
		if (r == 0) s = digits(1, "3456789") digits(9, "0123456789") (rnd(2) ? "+" : "")
		else if (r == 1) s = pick("abc -1 all+ ALL al All 1++ + ++ 1+2 x+ 0x 08 1.5 4294967296 99999999999 last first 1-")
		else s = word() (rnd(2) ? "+" : "")
		if (member("all", s))
			s = s "x"
		emit("index_garbage", -22, "*index*", runcmd("index=" s, "index") nl())
	}
	# a key given twice
	for (i = 0; i < 50; i++) {
		k = pick("size region walker repeat index")
		if (k == "index") {
			a = "index=" pick("0 1 all 2+")
			b = "index=" pick("0 1 all 2+")
		} else {
			a = goodword(k)
			b = goodword(k)
		}
		emit("dup_key", -22, "*given twice*", twice(a, b, k) nl())
	}
	for (i = 0; i < 30; i++) {
		k = pick(axiskeys " threads")
		emit("dup_axis", -22, "*given twice*", twice(goodword(k), goodword(k), k) nl())
	}
	# verify, free and reset take no arguments
	for (i = 0; i < 50; i++) {
		c = pick("verify free reset")
		a = pick("x now all 1 0 size=4M region=vmalloc --force -f please verify free run walker=" pick(vals["walker"]))
		emit("trailing_args", -22, "*takes no arguments*", c sep() a nl())
	}
	# SM_CMD_MAX (1024) bytes and more
	for (i = 0; i < 50; i++) {
		n = i < 4 ? 1024 + i % 2 : 1024 + rnd(2500)
		r = rnd(5)
		if (r == 0) { c = run4m; pad = " " }
		else if (r == 1) { c = "run walker="; pad = "a" }
		else if (r == 2) { c = pick("free reset verify cancel"); pad = " " }
		else if (r == 3) { c = "run"; pad = " size=4M" }
		else { c = word(); pad = "x" }
		while (length(c) < n)
			c = c pad
		c = substr(c, 1, n)
		if (r == 2)
			c = substr(c, 1, n - 1) "x"
		emit("too_long", -22, "*bytes*", c)
	}
	# a NUL byte anywhere
	for (i = 0; i < 50; i++) {
		c = insert(validcmd(), "\\000")
		if (rnd(4) == 0)
			c = c "\\000"
		emit("nul_byte", -22, "*NUL*", c nl())
	}
	# control characters (not blanks: tab, newline, vt, ff, cr separate or trim)
	split("1 2 3 4 5 6 7 8 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 127", cc, " ")
	for (i = 0; i < 60; i++) {
		c = validcmd()
		for (j = 1 + rnd(2); j > 0; j--)
			c = insert(c, octal(cc[1 + rnd(27)]))
		emit("control_char", -22, "?*", c nl())
	}
	# non-ASCII bytes: raw high bytes (not 0xa0, which the kernel's
	# isspace() trims) and UTF-8 look-alikes
	for (i = 0; i < 60; i++) {
		c = validcmd()
		r = rnd(4)
		if (r == 0) {
			do b = 128 + rnd(128); while (b == 160)
			c = insert(c, octal(b))
		} else if (r == 1) {
			c = insert(c, pick("\\303\\251 \\303\\237 \\342\\200\\224 \\360\\237\\230\\200 \\357\\273\\277 \\357\\277\\275 \\302\\240 \\342\\200\\213"))
		} else if (r == 2 && index(c, "=")) {
			# a fullwidth or look-alike '='
			p = index(c, "=")
			c = substr(c, 1, p - 1) pick("\\357\\274\\235 \\342\\211\\241 \\352\\236\\212") substr(c, p + 1)
		} else {
			# Cyrillic look-alikes of e, a, o, r
			if (index(c, "e")) { p = index(c, "e"); c = substr(c, 1, p - 1) "\\320\\265" substr(c, p + 1) }
			else if (index(c, "a")) { p = index(c, "a"); c = substr(c, 1, p - 1) "\\320\\260" substr(c, p + 1) }
			else c = insert(c, "\\321\\200")
		}
		emit("non_ascii", -22, "?*", c nl())
	}
	# a second write() on one open file: the first is malformed, the second
	# would change the state were it taken
	for (i = 0; i < 30; i++) {
		k = pick(axiskeys " region walker")
		a = runcmd(k "=" badval(k), k)
		b = pick("free reset verify cancel x")
		if (b == "x")
			b = runcmd(goodword("size"), "size")
		emit("second_write", -22, "*one command per open*", a, b nl())
	}
	# cancel with nothing running
	for (i = 0; i < 10; i++)
		emit("cancel_idle", -3, "*no command is running*", pick("cancel cancel \\011cancel") nl())

	# --- module parameter sets ---
	for (i = 0; i < 20; i++) {
		k = pick("region size walker")
		v = substr(goodword(k), length(k) + 2)
		inj = pick("repeat=9 size=1G region=contig walker=v6.1 run=1 axes=leaf=cont threads=2 x")
		s = pick("x x x t")
		s = s == "t" ? "\t" : " "
		r = rnd(5)
		if (r == 0)
			b = k "='" v "='"
		else if (r == 1)
			b = k "=" v "=" inj
		else
			b = "'" k "=\"" v s inj "\"'"
		param("inject", b pfill(k))
	}
	for (i = 0; i < 12; i++) {
		k = pick(axiskeys " threads")
		param("axes_unknown_key", "axes=" badkey(k) "=" pick(vals[k] " 2") pfill(""))
	}
	for (i = 0; i < 12; i++) {
		k = pick("region size walker repeat index run")
		b = k == "run" ? "run=1" : k == "index" ? "index=1" : goodword(k)
		if (rnd(2))
			b = "'axes=\"" goodword(pick(axiskeys)) " " b "\"'"
		else
			b = "axes=" b
		param("axes_non_axis_key", b pfill(""))
	}
	for (i = 0; i < 12; i++) {
		k = pick(axiskeys " threads")
		if (k == "threads") b = "threads=" pick("0 17 100 -1 x")
		else if (rnd(4) == 0) b = k
		else b = k "=" badval(k)
		param("axes_bad_value", "axes=" b pfill(""))
	}
	for (i = 0; i < 15; i++)
		param("bad_size", "size=" pick("0 0x0 4097 12345 1 4MB 4MiB -1 abc 1.5G 0x M 4M4 +4M 0K") pfill("size"))
	split("17E 16E 16384P 18446744073709555712 0x10000000000400000 02000000000000020000000 17592186044420M 99999999999999999999999 0x1ffffffffffffffff 1000000P", fixed, " ")
	for (i = 1; i in fixed; i++)
		param("size_overflow", "size=" fixed[i] pfill("size"))
	for (i = 0; i < 12; i++)
		param("repeat", "repeat=" pick("0 00 20001 20002 99999 4294967295 4294967296 -1 abc 1.5 ''") pfill("repeat"))
	for (i = 0; i < 12; i++)
		param("walker", "walker=" badval("walker") pfill("walker"))
	for (i = 0; i < 10; i++)
		param("region", "region=" badval("region") pfill("region"))
	for (i = 0; i < 5; i++)
		param("run", "run=" pick("maybe 2 -1 x 9 enable") pfill(""))
	exit 0
}
