package bench

// culture is a naming tradition of South Africa: given names by sex, family
// names, and the language its speakers most often prefer.
type culture struct {
	Name     string
	Language string
	Weight   int // share of patients, in percent
	Female   []string
	Male     []string
	Family   []string
}

// cultures are weighted roughly like the patients of urban private
// practices across Gauteng, KwaZulu-Natal and the Cape.
var cultures = []culture{
	{
		Name: "isiZulu", Language: "isiZulu", Weight: 24,
		Female: []string{
			"Nomvula", "Thandeka", "Zanele", "Nokuthula", "Sibongile", "Lindiwe", "Nompumelelo", "Thembi", "Zodwa", "Nonhlanhla",
			"Buhle", "Nandi", "Zinhle", "Hlengiwe", "Gugu", "Khanyisile", "Lungile", "Mbali", "Nosipho", "Nothando",
			"Phumzile", "Sbusisiwe", "Simangele", "Slindile", "Thuli", "Zandile", "Ntombi", "Busisiwe", "Dudu", "Nelisiwe",
			"Nokwanda", "Nomsa", "Thobeka", "Samkelisiwe", "Snenhlanhla", "Minenhle", "Londiwe", "Ntombifuthi", "Zama", "Amahle",
			"Nqobile", "Philile", "Sindisiwe", "Nokulunga", "Ziphozonke", "Bongiwe", "Duduzile", "Fikile", "Hlonipha", "Khethiwe",
		},
		Male: []string{
			"Sipho", "Mandla", "Bongani", "Sibusiso", "Themba", "Jabulani", "Sandile", "Lwazi", "Musa", "Nkosinathi",
			"Mthokozisi", "Siyabonga", "Sifiso", "Mfundo", "Njabulo", "Lungelo", "Khulekani", "Nhlanhla", "Thulani", "Vusi",
			"Zweli", "Dumisani", "Mduduzi", "Mlungisi", "Sanele", "Sizwe", "Bheki", "Phila", "Sakhile", "Thamsanqa",
			"Zakhele", "Bhekani", "Mxolisi", "Ayanda", "Andile", "Lindani", "Sbonelo", "Celimpilo", "Mpendulo", "Nkululeko",
			"Velaphi", "Wandile", "Xolani", "Ntokozo", "Siphesihle", "Thabani", "Mzwakhe", "Khaya", "Mbongeni", "Senzo",
		},
		Family: []string{
			"Dlamini", "Nkosi", "Ndlovu", "Khumalo", "Mkhize", "Zulu", "Ngcobo", "Buthelezi", "Mthembu", "Zungu",
			"Cele", "Ntuli", "Shabalala", "Gumede", "Mabaso", "Msomi", "Nxumalo", "Sithole", "Hadebe", "Zwane",
			"Mbatha", "Ngubane", "Mnguni", "Biyela", "Khanyile", "Majola", "Mlambo", "Ndaba", "Nene", "Ngema",
			"Nzimande", "Shezi", "Xulu", "Zondi", "Zuma", "Luthuli", "Mdlalose", "Mhlongo", "Mkhwanazi", "Mthethwa",
			"Mtshali", "Myeni", "Ngwenya", "Nhlapo", "Ntshangase", "Qwabe", "Sibiya", "Simelane", "Thusi", "Vilakazi",
			"Zikalala", "Bhengu", "Chiliza", "Dube", "Gasa", "Gwala", "Hlongwane", "Jali", "Kubheka", "Langa",
			"Madlala", "Magubane", "Makhanya", "Masondo", "Mazibuko", "Mchunu", "Mdletshe", "Mngadi", "Mpungose", "Msimang",
			"Mvelase", "Ndimande", "Ngidi", "Nkabinde", "Nyawo", "Phungula", "Shange", "Sokhela", "Zondo", "Mabuza",
		},
	},
	{
		Name: "isiXhosa", Language: "isiXhosa", Weight: 16,
		Female: []string{
			"Noluthando", "Siphokazi", "Nosiviwe", "Asanda", "Bulelwa", "Lulama", "Mandisa", "Nandipha", "Nobuhle", "Noxolo",
			"Nolwazi", "Olwethu", "Sinovuyo", "Thandiwe", "Vuyelwa", "Yonela", "Zintle", "Zukiswa", "Nomonde", "Nombulelo",
			"Phindiwe", "Sisipho", "Akhona", "Anathi", "Babalwa", "Buziwe", "Khanyisa", "Lelethu", "Lusanda", "Nokubonga",
			"Nomakhosazana", "Ntombizodwa", "Pumla", "Sive", "Yolisa", "Zoleka", "Ziyanda", "Esona", "Nwabisa", "Ongeziwe",
			"Siphosethu", "Thembakazi", "Unathi", "Vuyokazi", "Wandiswa", "Xoliswa", "Zikhona", "Nomathemba", "Liyema", "Aviwe",
		},
		Male: []string{
			"Lwandile", "Siyabulela", "Luvuyo", "Mzwandile", "Vuyo", "Lunga", "Thembekile", "Zolani", "Lubabalo", "Mthunzi",
			"Mzimkhulu", "Sakhumzi", "Siphiwo", "Vuyani", "Ayabonga", "Bonginkosi", "Kwanele", "Lindokuhle", "Luthando", "Mawethu",
			"Monwabisi", "Ncedo", "Odwa", "Phumlani", "Sandisile", "Simphiwe", "Sinethemba", "Siyamthanda", "Thando", "Athenkosi",
			"Bulelani", "Fezile", "Khwezi", "Lonwabo", "Lukhanyo", "Mandilakhe", "Masixole", "Mncedisi", "Nceba", "Songezo",
			"Thembinkosi", "Vuyisile", "Xolisa", "Yamkela", "Zwelakhe", "Zukile", "Anele", "Buntu", "Lithemba", "Sizwe",
		},
		Family: []string{
			"Mbeki", "Sisulu", "Mandela", "Tambo", "Mlonyeni", "Ngqondi", "Mtirara", "Dalindyebo", "Matanzima", "Gcaba",
			"Gqirana", "Jama", "Jikela", "Kama", "Koyana", "Lusizi", "Mabandla", "Madiba", "Majeke", "Makhaya",
			"Mali", "Mampofu", "Maqubela", "Matiwane", "Mbete", "Mdingi", "Mgijima", "Mhlaba", "Mkhabela", "Mngxitama",
			"Mpahlwa", "Mqhayi", "Mtshemla", "Mvambo", "Mxenge", "Ndamase", "Ndzima", "Ngqakayi", "Ngxola", "Nkohla",
			"Nqaba", "Ntlabati", "Ntshona", "Nyati", "Qamata", "Qunta", "Sigcau", "Sobukwe", "Songo", "Tetani",
			"Tshiki", "Vabaza", "Xaba", "Xuma", "Zenani", "Bokwe", "Bikitsha", "Dlomo", "Dyani", "Faku",
			"Gawe", "Godana", "Gqola", "Jaxa", "Mafuya", "Majiza", "Makana", "Mantashe", "Madikizela", "Ntsebeza",
		},
	},
	{
		Name: "Afrikaans", Language: "Afrikaans", Weight: 16,
		Female: []string{
			"Annelie", "Anri", "Carla", "Charlize", "Elmarie", "Elsabe", "Hanli", "Hester", "Ilse", "Jana",
			"Karien", "Lize", "Marelize", "Mariska", "Marietjie", "Mia", "Nadia", "Nicolene", "Riana", "Ronel",
			"Sanet", "Sunette", "Susanna", "Tanja", "Wilna", "Yolandi", "Zelda", "Elna", "Anneke", "Chantelle",
			"Esme", "Heidi", "Johanna", "Karlien", "Liezel", "Magda", "Marlene", "Retha", "Sonja", "Mariaan",
			"Rina", "Alet", "Bettie", "Danelle", "Lindie", "Lynette", "Rochelle", "Surina", "Tersia", "Zanri",
		},
		Male: []string{
			"Andries", "Barend", "Christo", "Danie", "Deon", "Dirk", "Francois", "Gerhard", "Hendrik", "Hennie",
			"Jaco", "Jacobus", "Johan", "Jan", "Koos", "Louis", "Marius", "Pieter", "Riaan", "Ruan",
			"Schalk", "Stefan", "Theuns", "Willem", "Wynand", "Anton", "Armand", "Braam", "Charl", "Christiaan",
			"Dawid", "Divan", "Eben", "Ettienne", "Frikkie", "Gideon", "Hannes", "Jannie", "Kobus", "Leon",
			"Morne", "Neels", "Petrus", "Renier", "Stephanus", "Tiaan", "Werner", "Wian", "Zander", "Fanie",
		},
		Family: []string{
			"van der Merwe", "Botha", "Pretorius", "Joubert", "du Plessis", "van Wyk", "Venter", "le Roux", "Nel", "Coetzee",
			"Fourie", "Swanepoel", "Steyn", "Kruger", "Smit", "Jacobs", "Marais", "Visser", "du Toit", "van Niekerk",
			"Erasmus", "Olivier", "Meyer", "Cloete", "Burger", "Bosman", "de Villiers", "Engelbrecht", "Ferreira", "Geldenhuys",
			"Grobler", "Hattingh", "Janse van Rensburg", "Jansen", "Kotze", "Labuschagne", "Liebenberg", "Louw", "Lombard", "Malan",
			"Mostert", "Naude", "Oosthuizen", "Potgieter", "Rossouw", "Scholtz", "Snyman", "Strydom", "Theron", "Uys",
			"van Heerden", "van Zyl", "Vermeulen", "Viljoen", "Wessels", "de Beer", "Bezuidenhout", "Badenhorst", "Claassen", "Cronje",
			"de Klerk", "Terblanche", "Booysen", "Abrahams", "Hendricks", "Petersen", "Isaacs", "Davids", "Februarie", "Jafta",
			"Koopman", "Arendse", "Fortuin", "Plaatjies", "Pienaar", "Brink", "Conradie", "Basson", "Prinsloo", "Vorster",
		},
	},
	{
		Name: "English", Language: "English", Weight: 12,
		Female: []string{
			"Sarah", "Emma", "Jessica", "Megan", "Nicole", "Lauren", "Rebecca", "Michelle", "Samantha", "Jennifer",
			"Claire", "Karen", "Linda", "Susan", "Elizabeth", "Catherine", "Rachel", "Amy", "Hannah", "Kirsty",
			"Chloe", "Olivia", "Sophie", "Grace", "Caitlin", "Jade", "Tarryn", "Bronwyn", "Candice", "Gillian",
			"Heather", "Janet", "Kate", "Lisa", "Louise", "Melissa", "Natalie", "Paula", "Robyn", "Tracey",
			"Wendy", "Zoe", "Abigail", "Ashleigh", "Courtney", "Erin", "Kim", "Jenna", "Kelly", "Shannon",
		},
		Male: []string{
			"James", "John", "David", "Michael", "Richard", "Robert", "William", "Thomas", "Daniel", "Matthew",
			"Andrew", "Christopher", "Mark", "Paul", "Peter", "Stephen", "Jonathan", "Nicholas", "Simon", "Timothy",
			"Gareth", "Craig", "Brendan", "Dylan", "Ryan", "Kyle", "Jason", "Justin", "Keith", "Kevin",
			"Liam", "Luke", "Nathan", "Oliver", "Patrick", "Sean", "Shaun", "Trevor", "Warren", "Wayne",
			"Benjamin", "Charles", "Edward", "George", "Graham", "Ian", "Neil", "Rory", "Brett", "Grant",
		},
		Family: []string{
			"Smith", "Jones", "Brown", "Taylor", "Williams", "Wilson", "Johnson", "Walker", "Wright", "Robinson",
			"Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Clarke", "Jackson",
			"Turner", "Hill", "Moore", "Cooper", "Ward", "Morris", "King", "Baker", "Harrison", "Morgan",
			"Allen", "Young", "Scott", "Mitchell", "Kelly", "Cook", "Carter", "Phillips", "Shaw", "Bennett",
			"Murray", "Graham", "Campbell", "Stewart", "Reid", "Hamilton", "Fraser", "Gordon", "Marshall", "Ross",
			"Russell", "Anderson", "Bell", "Collins", "Davies", "Evans", "Fisher", "Gibson", "Hunter", "Kennedy",
			"Lawrence", "Matthews", "McDonald", "Palmer", "Parker", "Richardson", "Rogers", "Simpson", "Spencer", "Stevens",
			"Sutherland", "Watson", "Webb", "Wells", "Fletcher", "Barnes", "Holmes", "Lloyd", "Dixon", "Owen",
		},
	},
	{
		Name: "Sesotho", Language: "Sesotho", Weight: 20,
		Female: []string{
			"Palesa", "Lerato", "Dineo", "Nthabiseng", "Refiloe", "Boitumelo", "Keitumetse", "Lineo", "Limakatso", "Mamello",
			"Masechaba", "Matseliso", "Mosa", "Mpolokeng", "Nthati", "Puleng", "Relebohile", "Rethabile", "Tebello", "Tlotliso",
			"Tsepiso", "Itumeleng", "Khauhelo", "Lieketseng", "Mamokete", "Ntsoaki", "Pontsho", "Reitumetse", "Seipati", "Thato",
			"Mpho", "Karabo", "Lebohang", "Neo", "Kamohelo", "Mathabo", "Nthatisi", "Matshidiso", "Realeboha", "Teboho",
			"Bohlokoa", "Dikeledi", "Kgomotso", "Nthabeleng", "Lesedi", "Malerato", "Masego", "Naledi", "Onalenna", "Tshegofatso",
		},
		Male: []string{
			"Thabo", "Teboho", "Tumelo", "Lehlohonolo", "Katleho", "Tshepo", "Mpho", "Karabo", "Lebohang", "Motlatsi",
			"Neo", "Tsietsi", "Kabelo", "Kagiso", "Moeketsi", "Mohau", "Mokete", "Molefi", "Paballo", "Sello",
			"Seabata", "Tau", "Thapelo", "Tlali", "Tokelo", "Retshepile", "Pule", "Rorisang", "Bokang", "Hlompho",
			"Kutlwano", "Lefa", "Lefu", "Lesiba", "Letlotlo", "Mosiuoa", "Sechaba", "Tebogo", "Thuso", "Tiisetso",
			"Bafana", "Keketso", "Khotso", "Lerothodi", "Motheo", "Nkopane", "Puseletso", "Rapelang", "Tumisang", "Ts'episo",
		},
		Family: []string{
			"Mokoena", "Mofokeng", "Molefe", "Motaung", "Tau", "Letsie", "Mohapi", "Moloi", "Mosia", "Nthako",
			"Sello", "Tlali", "Radebe", "Lekota", "Moeketsi", "Mokhele", "Molapo", "Moshoeshoe", "Motloung", "Lebona",
			"Lesia", "Letsoalo", "Mabena", "Mahlaba", "Makhetha", "Makoa", "Maleka", "Masilo", "Matsoso", "Mathibe",
			"Mokhethi", "Mokhothu", "Mokoatle", "Molefi", "Monaheng", "Mopeli", "Moremi", "Mothibi", "Motsamai", "Motsoeneng",
			"Mphahlele", "Nkoe", "Ntsane", "Pheko", "Qhobela", "Ramokgopa", "Rampai", "Sebata", "Sehloho", "Seleke",
			"Sekhonyana", "Shale", "Thamae", "Thebe", "Tsotetsi", "Tshabalala", "Khoza", "Kgosana", "Lehloenya", "Letlape",
			"Lephoto", "Liphoko", "Mahao", "Majoro", "Makhene", "Ntoi", "Posholi", "Ralebitso", "Rantsho", "Sefako",
		},
	},
	{
		Name: "Indian South African", Language: "English", Weight: 12,
		Female: []string{
			"Priya", "Anusha", "Kavitha", "Shanthi", "Devi", "Kamla", "Meera", "Nisha", "Pooja", "Rani",
			"Sarisha", "Sumaiya", "Ashika", "Avashni", "Deshnee", "Hershini", "Kerusha", "Kreshnee", "Leshni", "Mishka",
			"Nivashni", "Prisha", "Rishika", "Roshni", "Sashni", "Sharmila", "Shivani", "Tasneem", "Vanisha", "Yashika",
			"Zainab", "Fathima", "Ayesha", "Nazia", "Lavanya", "Saras", "Indrani", "Jayshree", "Kamini", "Logambal",
			"Reshma", "Sadhana", "Trishana", "Urvashi", "Vasantha", "Yuvika", "Aaliyah", "Husna", "Naseema", "Rookaya",
		},
		Male: []string{
			"Rajesh", "Suresh", "Ravi", "Prem", "Vishal", "Ashwin", "Dinesh", "Kumaran", "Logan", "Mahendra",
			"Navin", "Pravin", "Rakesh", "Sanjay", "Sunil", "Vikash", "Yusuf", "Ahmed", "Imraan", "Faizal",
			"Mohammed", "Ismail", "Riaz", "Zaheer", "Kreason", "Kershen", "Nishen", "Preshen", "Rivaan", "Tevin",
			"Yeshen", "Deveshan", "Kamal", "Kugan", "Manoj", "Nadesan", "Pragasen", "Selvan", "Thiru", "Vinesh",
			"Yogan", "Ashok", "Dhiren", "Feroz", "Goolam", "Hemant", "Jeevan", "Kiran", "Naresh", "Shamir",
		},
		Family: []string{
			"Naidoo", "Pillay", "Govender", "Reddy", "Moodley", "Chetty", "Naicker", "Padayachee", "Maharaj", "Singh",
			"Ramsamy", "Moonsamy", "Perumal", "Nair", "Sookdeo", "Ramlall", "Rampersad", "Persad", "Maistry", "Munsamy",
			"Chinsamy", "Gounden", "Pather", "Pillai", "Subramoney", "Thaver", "Ramdass", "Sewpersad", "Harripersad", "Bissessur",
			"Khan", "Patel", "Desai", "Ismail", "Moosa", "Essop", "Dawood", "Jeena", "Lalla", "Bhana",
			"Kassim", "Vawda", "Cassim", "Seedat", "Dadoo", "Mahomed", "Mohamed", "Ebrahim", "Hassim", "Amod",
			"Osman", "Parbhoo", "Ramjee", "Rajah", "Sewnarain", "Ramnarain", "Dookhi", "Jugmohan", "Maharajh", "Naidu",
			"Govindsamy", "Arumugam", "Kistan", "Ramkissoon", "Soobramoney", "Moodaley", "Narainsamy", "Bhagwandin", "Lutchman", "Sooklal",
		},
	},
}

// place is a suburb with its city and postal code.
type place struct{ Suburb, City, Code string }

// places where the practices (and most of their patients) are.
var places = []place{
	{"Soweto", "Johannesburg", "1804"}, {"Rosebank", "Johannesburg", "2196"}, {"Sandton", "Johannesburg", "2196"},
	{"Randburg", "Johannesburg", "2194"}, {"Alexandra", "Johannesburg", "2090"}, {"Melville", "Johannesburg", "2092"},
	{"Fourways", "Johannesburg", "2191"}, {"Kempton Park", "Ekurhuleni", "1619"}, {"Benoni", "Ekurhuleni", "1501"},
	{"Tembisa", "Ekurhuleni", "1632"}, {"Hatfield", "Pretoria", "0083"}, {"Mamelodi", "Pretoria", "0122"},
	{"Centurion", "Pretoria", "0157"}, {"Soshanguve", "Pretoria", "0152"}, {"Umlazi", "Durban", "4031"},
	{"Chatsworth", "Durban", "4092"}, {"Berea", "Durban", "4001"}, {"Phoenix", "Durban", "4068"},
	{"Morningside", "Durban", "4001"}, {"Umhlanga", "Durban", "4319"}, {"Khayelitsha", "Cape Town", "7784"},
	{"Gugulethu", "Cape Town", "7750"}, {"Bellville", "Cape Town", "7530"}, {"Observatory", "Cape Town", "7925"},
	{"Mitchells Plain", "Cape Town", "7785"}, {"Sea Point", "Cape Town", "8005"}, {"Claremont", "Cape Town", "7708"},
	{"Walmer", "Gqeberha", "6070"}, {"New Brighton", "Gqeberha", "6200"}, {"Mdantsane", "East London", "5219"},
	{"Vincent", "East London", "5247"}, {"Westdene", "Bloemfontein", "9301"}, {"Mangaung", "Bloemfontein", "9323"},
	{"Bendor", "Polokwane", "0699"}, {"Sonheuwel", "Mbombela", "1201"}, {"Scottsville", "Pietermaritzburg", "3201"},
	{"Edendale", "Pietermaritzburg", "3217"}, {"Die Boord", "Stellenbosch", "7613"}, {"Paarl Central", "Paarl", "7646"},
	{"Rustenburg Central", "Rustenburg", "0299"},
}

// dialCodes are the landline area codes of the cities.
var dialCodes = map[string]string{
	"Johannesburg": "11", "Ekurhuleni": "11", "Pretoria": "12", "Durban": "31", "Cape Town": "21",
	"Gqeberha": "41", "East London": "43", "Bloemfontein": "51", "Polokwane": "15", "Mbombela": "13",
	"Pietermaritzburg": "33", "Stellenbosch": "21", "Paarl": "21", "Rustenburg": "14",
}

var streets = []string{
	"Main Road", "Church Street", "Voortrekker Road", "Nelson Mandela Drive", "Jan Smuts Avenue", "Beyers Naude Drive",
	"Oxford Road", "Long Street", "Vilakazi Street", "Albertina Sisulu Road", "Govan Mbeki Avenue", "Steve Biko Road",
	"Walter Sisulu Street", "Chris Hani Road", "Market Street", "Station Road", "Victoria Road", "Louis Botha Avenue",
	"Jacaranda Street", "Protea Road", "Acacia Avenue", "Disa Street", "Umgeni Road", "Florida Road", "Durban Road",
	"Kloof Street", "Rivonia Road", "Pretorius Street", "Solomon Mahlangu Drive", "Dr Pixley KaSeme Street",
	"Bram Fischer Drive", "Ruth First Street", "Lilian Ngoyi Street", "Kingsway", "High Street", "Hospital Street",
	"Mimosa Avenue", "Blougom Street", "Bosbok Street", "Impala Road",
}

var mobilePrefixes = []string{"82", "83", "84", "72", "73", "76", "79", "71", "74", "78", "81", "60", "61", "62", "63", "64", "65", "66"}

// mailDomains look like the providers South Africans use but are under the
// reserved .example top-level domain (RFC 2606): a benchmark database that
// is ever served with a real SMTP relay mails nobody.
var mailDomains = []string{
	"gmail.example", "gmail.example", "gmail.example", "outlook.example", "yahoo.example", "webmail.example",
	"mweb.example", "icloud.example", "hotmail.example", "telkomsa.example", "vodamail.example", "iafrica.example",
}

var medicalSchemes = []string{
	"Discovery Health Medical Scheme", "Bonitas Medical Fund", "Momentum Health", "Medshield", "Bestmed",
	"Government Employees Medical Scheme (GEMS)", "Fedhealth", "Polmed", "Medihelp", "Profmed", "KeyHealth", "Sizwe Hosmed",
}

var relationships = []string{"spouse", "mother", "father", "sister", "brother", "partner", "daughter", "son", "friend"}

var allergyList = []string{"Penicillin", "Sulphonamides", "Peanuts", "Latex", "Aspirin", "Bee stings", "Codeine", "Shellfish", "Ibuprofen"}

var chronicList = []string{
	"Hypertension", "Type 2 diabetes", "Asthma", "HIV (on ART)", "Hypercholesterolaemia", "Epilepsy", "Hypothyroidism",
	"Chronic kidney disease", "COPD", "Osteoarthritis", "Major depression",
}

var specialties = []string{
	"General Practitioner", "General Practitioner", "General Practitioner", "Family Physician", "Paediatrician",
	"General Practitioner", "Obstetrician and Gynaecologist", "Physician",
}

var qualifications = []string{
	"MBChB (UKZN)", "MBChB (UCT)", "MBBCh (Wits)", "MBChB (Stellenbosch)", "MBChB (Pretoria)", "MBChB (UFS)",
	"MBChB (Walter Sisulu)", "MBChB (Limpopo)", "MBChB (UCT), FCFP(SA)", "MBBCh (Wits), DipPEC(SA)", "MBChB (UKZN), MMed (Fam Med)",
	"MBChB (Pretoria), DCH(SA)",
}

var practiceKinds = []string{"Medical Centre", "Family Practice", "Medical Practice", "Health Clinic", "Family Medicine", "Medical Suites"}

var notesList = []string{
	"Repeat script", "Blood pressure check", "Follow-up on blood results", "Flu vaccination", "Wound dressing",
	"Chronic medication review", "Sick note", "Flu symptoms", "Lower back pain", "Antenatal visit", "Sore throat",
	"Child immunisations", "Diabetes review", "Travel consultation",
}

var cancelReasons = []string{
	"Patient asked to reschedule", "Feeling better", "Work commitments", "Transport problems", "Practitioner unavailable",
	"Taxi strike", "Load-shedding at home, could not travel",
}
