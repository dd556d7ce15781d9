#!/usr/bin/python3
"""Checks that the engine's native digit matchers (src/pii/engine.cc: DigitChains, ParseDigitShape, ShapeEnds) report
exactly what Vectorscan reports with HS_FLAG_SOM_LEFTMOST (each end once, with its leftmost start) for every catalog
pattern they take over, on random strings (300 000 per pattern: random bytes, digit groups, and near-misses built
from the pattern). The functions are copied out of engine.cc (they are internal), compiled with g++ and run.
Usage: bench/pii/check_native_shapes.py   (exit 0 and "ok" when all agree)"""
import os, subprocess, sys, tempfile
import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
source = open(os.path.join(ROOT, "src/pii/engine.cc")).read()
body = source[source.index("// A word character for the regular expressions"):source.index("bool IsWordByte")]
body += source[source.index("struct RawMatch {"):source.index("struct Candidate {")]
body = body.replace("int OnMatch(", "int OnMatchUnused(")
MAIN = r'''static int cb(unsigned id, unsigned long long f, unsigned long long t, unsigned, void* c){ ((std::vector<RawMatch>*)c)->push_back({id,(uint32_t)f,(uint32_t)t}); return 0;}
int main(int argc, char** argv){
  std::vector<std::string> pats; std::ifstream f(argv[1]); for(std::string l;std::getline(f,l);) if(!l.empty()) pats.push_back(l);
  std::mt19937 rng(42); const char alpha[]="0123456789 -_aZ\x80.\n(";
  long total=0; int native=0;
  for(auto& p: pats){
    auto shape=ParseDigitShape(p); if(shape.empty()) continue; ++native;
    size_t md=64; for(auto&alt:shape){size_t d=0; for(auto&t:alt) d+= t.digits? t.min:0; md=std::min(md,d);}
    printf("native: %s (%zu alternatives, min digits %zu)\n",p.c_str(),shape.size(),md);
    long per=0; hs_database_t* db; hs_compile_error_t* e; if(hs_compile(p.c_str(),HS_FLAG_SOM_LEFTMOST,HS_MODE_BLOCK,nullptr,&db,&e)!=HS_SUCCESS){printf("cfail\n");return 1;}
    hs_scratch_t* s=nullptr; hs_alloc_scratch(db,&s);
    std::vector<Group> g; std::vector<size_t> ends; std::vector<NativeDigits> none, shapes{{0,md,0,shape,FirstRunLengths(shape)}};
    for(int it=0;it<300000;++it){
      std::string t; if(it%3==2){ const char any[]=" -._a\n0123456789"; for(int rep=0; rep< 1+(int)(rng()%2); ++rep){ if(rng()%2) t.push_back(any[rng()%17]); const auto& alt=shape[rng()%shape.size()]; for(auto& tok: alt){ if(tok.separators){ int r=rng()%10; if(tok.min==0 && r<3) continue; t.push_back(r<8? ((tok.separators&1)&&(!(tok.separators&2)||rng()%2)?' ':'-') : any[rng()%17]); } else { int c=tok.min+rng()%(tok.max-tok.min+1) + (rng()%8==0? (rng()%2?1:-1):0); for(int i=0;i<c;++i){ int d; do d=rng()%10; while(rng()%6 && !((tok.digits>>d)&1)); t.push_back('0'+d);} } } } if(rng()%2) t.push_back(any[rng()%17]); } else if(it%2){ int len=rng()%50; for(int i=0;i<len;++i){ int r=rng()%100; t.push_back(r<75? '0'+rng()%10 : alpha[10+rng()%10]); } } else { const char seps[]=" - - - -._a\n"; int ng=1+rng()%7; if(rng()%3==0) t.push_back(seps[rng()%11]); for(int gi=0;gi<ng;++gi){ int gl=1+rng()%(gi%2?8:5); for(int i=0;i<gl;++i) t.push_back('0'+ (rng()%4? 1+rng()%8 : rng()%10)); if(gi+1<ng) t.push_back(seps[rng()%11]); } if(rng()%3==0) t.push_back(seps[rng()%11]); }
      std::vector<RawMatch> a,b; hs_scan(db,t.data(),t.size(),0,s,cb,&a); DigitChains(t,nullptr,none,none,shapes,md,g,ends,b);
      std::stable_sort(b.begin(),b.end(),[](auto&x,auto&y){return x.to<y.to;});
      bool same=a.size()==b.size(); for(size_t i=0;same&&i<a.size();++i) same=a[i].from==b[i].from&&a[i].to==b[i].to;
      if(!same){ printf("MISMATCH '%s' hs=%zu native=%zu\n",t.c_str(),a.size(),b.size()); for(auto&m:a)printf(" hs %u-%u\n",m.from,m.to); for(auto&m:b)printf(" nat %u-%u\n",m.from,m.to); return 1;}
      total+=a.size(); per+=a.size();
    }
    printf("  %ld matches\n", per);
  }
  printf("ok, %d native patterns, %ld matches compared\n",native,total);
}
'''
HEAD = "#include <hs/hs.h>\n#include <emmintrin.h>\n#include <algorithm>\n#include <cstdint>\n#include <cstdio>\n" \
       "#include <fstream>\n#include <random>\n#include <string>\n#include <string_view>\n#include <vector>\n"
catalog = yaml.safe_load(open(os.path.join(ROOT, "catalog/pii/entities.yaml")))
patterns = []
for entity in catalog["entities"]:
    for pattern in entity["patterns"]:
        if pattern not in patterns:
            patterns.append(pattern)
with tempfile.TemporaryDirectory() as work:
    with open(os.path.join(work, "check.cc"), "w") as out:
        out.write(HEAD + body + MAIN)
    with open(os.path.join(work, "patterns.txt"), "w") as out:
        out.write("\n".join(patterns) + "\n")
    subprocess.run(["g++", "-O2", "-std=c++20", "-o", os.path.join(work, "check"), os.path.join(work, "check.cc"),
                    "-lhs"], check=True)
    sys.exit(subprocess.run([os.path.join(work, "check"), os.path.join(work, "patterns.txt")]).returncode)
